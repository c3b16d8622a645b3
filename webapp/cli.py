"""Flask CLI commands: `flask --app webapp seed-demo`, `create-staff`."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import func, select

from webapp.booking.models import Event
from webapp.extensions import db
from webapp.seed import restart_demo_onsale, seed_demo
from webapp.staff.roles import ROLES
from webapp.staff.users import create_staff


def register_commands(app: Flask) -> None:
    @app.cli.command("seed-demo")
    @click.option("--arena", is_flag=True, help="Also add the 20,000-seat arena event.")
    @click.option("--if-empty", is_flag=True, help="Do nothing if any event exists.")
    def seed_demo_command(arena: bool, if_empty: bool) -> None:
        """Create the demo theatre events (and the arena)."""
        if if_empty and db.session.scalar(select(func.count(Event.id))):
            click.echo("Events exist already; not seeding.")
            return
        for event in seed_demo(arena=arena):
            click.echo(f"Created event {event.id}: {event.name}")

    @app.cli.command("demo-onsale")
    def demo_onsale_command() -> None:
        """Open the on-sale demo's sale a few minutes from now, behind a fresh waiting room."""
        event = restart_demo_onsale()
        if event is not None:
            click.echo(f"{event.name}: sale opens at {event.sale_opens_at:%H:%M:%S} UTC")

    @app.cli.command("create-staff")
    @click.argument("email")
    @click.password_option()
    @click.option(
        "--role",
        type=click.Choice(sorted(ROLES)),
        default=None,
        help="admin, box_office, door or read_only (the first account is always admin).",
    )
    def create_staff_command(email: str, password: str, role: str | None) -> None:
        """Create a staff user (prompts for the password)."""
        user = create_staff(email, password, role)
        click.echo(f"Staff user {user.email} created ({user.role}).")
