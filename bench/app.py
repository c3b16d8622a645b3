"""The app under benchmark: Holdfast plus the baseline strategies at /bench/."""

from bench.strategies.routes import bp
from webapp import create_app

app = create_app()
app.register_blueprint(bp, url_prefix="/bench")
