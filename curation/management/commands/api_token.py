"""Print an account's API token, making it if it has none (docs/api.md): for
operators setting up a partner system's account, or for a staff member
without the admin at hand."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.authtoken.models import Token

from curation.tokens import issue_token


class Command(BaseCommand):
    help = (
        "Print the API token of an account, making one if it has none. "
        "The token acts with that account's permissions."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--replace",
            action="store_true",
            help="Make a new token; the old one stops working.",
        )
        action.add_argument(
            "--revoke",
            action="store_true",
            help="Delete the account's token and print nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: options["username"]})
        except User.DoesNotExist:
            raise CommandError(f"No account named {options['username']!r}.") from None
        if not user.is_active:
            raise CommandError(f"The account {user} is inactive.")
        if options["revoke"]:
            deleted, _ = Token.objects.filter(user=user).delete()
            self.stderr.write(
                f"Revoked the token of {user}." if deleted else f"{user} had no token."
            )
            return
        if options["replace"]:
            token = issue_token(user)
        else:
            token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
