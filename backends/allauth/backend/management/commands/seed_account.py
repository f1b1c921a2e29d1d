"""`manage.py seed_account EMAIL PASSWORD`: an account whose email is already verified."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Creates (or resets) an account with a verified primary email."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("password")

    def handle(self, *args, email, password, **options):
        user, _ = get_user_model().objects.get_or_create(
            username=email.split("@")[0][:150], defaults={"email": email}
        )
        user.email = email
        user.set_password(password)
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        self.stdout.write(f"seeded {email}")
