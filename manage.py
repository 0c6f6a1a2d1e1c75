#!/usr/bin/env python
import os
import sys

# Commands only developers run (they serve no one and touch no secret): they work without the
# production variables, on the development defaults.
DEVELOPER_COMMANDS = {"makemigrations"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "localbzz.settings")
    if len(sys.argv) > 1 and sys.argv[1] in DEVELOPER_COMMANDS:
        os.environ.setdefault("DEBUG", "1")
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - load the settings now, so a missing variable is said plainly
    except ImproperlyConfigured as error:
        # Django would carry on without settings and fail later with "Apps aren't loaded yet".
        sys.exit(f"LocalBzz is not configured: {error}\nFor local work, set DEBUG=1 (or use `make run`).")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
