"""Flask extension singletons, initialised in create_app."""

from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from webapp.identity import rate_limit_key


class Base(DeclarativeBase):
    """Declarative base shared by every model."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=rate_limit_key, default_limits=[])
talisman = Talisman()

# The pages load scripts and styles from /static only: no inline scripts, no eval (htmx is
# configured without inline indicator styles).
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
}
# The door page may compile WebAssembly (the QR reader for browsers without their own);
# 'wasm-unsafe-eval' allows that and nothing else that eval would.
DOOR_CONTENT_SECURITY_POLICY = {
    **CONTENT_SECURITY_POLICY,
    "script-src": "'self' 'wasm-unsafe-eval'",
}
