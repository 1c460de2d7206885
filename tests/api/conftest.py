"""API clients: anonymous, with a token but no permission, and a curator's token."""

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories as f


@pytest.fixture
def api():
    return APIClient()


def client_with_token(user):
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}"
    )
    return client


@pytest.fixture
def reader_api(db):
    """A token whose user has no permission at all."""
    return client_with_token(User.objects.create_user("reader"))


@pytest.fixture
def curator_api(db):
    """A token of a curator: may view, add, change and delete every record."""
    return client_with_token(f.curator("curator-api"))
