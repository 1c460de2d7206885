"""Curation keeps no data of its own (office memberships are registry
models). This module exists so that Django sends this app's post_migrate
signal, after which the roles' permissions are put back (apps.keep_roles)."""
