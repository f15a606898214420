"""The web benchmark's database ``<database>_webbench``: built once (migrations, fixtures, the
register of all of Germany and the NRW outlines when ../shared/data has them, 100,000 synthetic
programmes, VACUUM ANALYZE) and kept for the next run, since building takes minutes."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
PROGRAMMES = 100_000


def database_url(name: str) -> str:
    from django.conf import settings

    url = urlsplit(settings.DATABASE_URL)
    return urlunsplit(url._replace(path=f"/{name}"))


def manage(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "0", "SECRET_KEY": "bench",
           "ALLOWED_HOSTS": "127.0.0.1"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


def build_database(name: str, rebuild: bool) -> dict:
    """Create (or reuse) the benchmark's database; returns what it holds and how long it took.
    An incomplete one (fewer synthetic programmes than wanted) is built anew."""
    import psycopg
    from django.conf import settings

    server = settings.DATABASES["default"]
    admin = psycopg.connect(
        dbname="postgres", user=server["USER"], password=server["PASSWORD"] or None,
        host=server["HOST"] or None, port=server["PORT"] or None, autocommit=True,
    )  # fmt: skip
    url = database_url(name)
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if exists and not rebuild:
        state = _state(url)
        if state and state["synthetic"] >= PROGRAMMES:
            admin.close()
            manage(url, "migrate", "--noinput", "-v0")  # the code may have moved on
            return {**state, "reused": True}
    if exists:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    admin.close()

    steps = {}

    def step(label, *args):
        started = time.perf_counter()
        output = manage(url, *args)
        steps[label] = round(time.perf_counter() - started, 1)
        print(f"  {label}: {steps[label]} s  {output.splitlines()[-1] if output else ''}")

    print(f"Building {name} …")
    step("migrate", "migrate", "--noinput", "-v0")
    step("fixtures", "load_catalogue")
    register = DATA / "GV100AD_30112025.txt"
    if register.exists():
        step("register (Germany)", "import_gemeindeverzeichnis", str(register))
        for layer in ("land", "regbez", "kreise", "gemeinden"):
            outlines = DATA / f"nrw_{layer}_vg5000_2021.geojson"
            if outlines.exists():
                step(f"outlines {layer}", "import_boundaries", str(outlines))
    step("generate 100,000", "generate_catalogue", "--programmes", str(PROGRAMMES), "--force")
    with psycopg.connect(url, autocommit=True) as connection:
        started = time.perf_counter()
        connection.execute("VACUUM ANALYZE")  # visibility map for index-only scans, statistics
        steps["vacuum analyze"] = round(time.perf_counter() - started, 1)
    return {**_state(url), "reused": False, "steps_s": steps}


def _state(url: str) -> dict | None:
    import psycopg

    try:
        with psycopg.connect(url) as connection:
            programmes, synthetic = connection.execute(
                "SELECT count(*), count(*) FILTER (WHERE is_synthetic) FROM programmes_programme"
            ).fetchone()
            (municipalities,) = connection.execute(
                "SELECT count(*) FROM municipalities_municipality"
            ).fetchone()
    except psycopg.Error:
        return None
    return {"programmes": programmes, "synthetic": synthetic, "municipalities": municipalities}
