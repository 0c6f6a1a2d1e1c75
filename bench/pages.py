"""Pages and list endpoints at a real agency's scale, under gunicorn, against /healthz (issue 14).

Needs wrk (Debian: ``apt-get install wrk``) and a PostgreSQL database filled by ``seed_volume``:

    createdb localbzz_volume
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/localbzz_volume
    DEBUG=1 .venv/bin/python manage.py migrate && DEBUG=1 .venv/bin/python manage.py seed_volume
    .venv/bin/python bench/pages.py [--port 8600] [--seconds 10] [--users 1,50] [--redis-url URL]

It starts gunicorn (3 sync workers, production settings, rate limits off) on that database, signs
in the demo owner (session and JWT) and the owner of the busiest volume client (portal session and
client JWT), then for each page and endpoint prints: the single-request time (median of 10, one
after another) and the page size; for each number of concurrent users (wrk, ``--seconds`` each),
p50/p95 and the web workers' CPU per request, each also as a multiple of /healthz's, measured right
before it in the same run; and the workers' memory around the heaviest page. Nothing is asserted.

Pages and lists are kept in the cache until the next write (``localbzz.datacache``), and nothing
writes during the run unless asked, so a second server with ``DATACACHE=0`` (port + 1) measures
what each costs built: ``--modes hit,miss`` (the default) gives both, each request of the "miss"
server builds its page as a cache miss would (without the miss's one cache write).

``--writes 0,1,5`` runs each page's measurements once per rate: at a rate above 0 a writer process
(``pages_writes``: its own Django, the services the app calls) makes a busy agency's writes
round-robin, that many a second, during each of the page's wrk runs and of the floor's measured
right before it (its CPU and database work are then in both); the table's hit% is the share
of the page's kept fragments found kept (each worker counts them, ``pages_gunicorn``), and the
writer's achieved rate is printed. ``--memory N`` reads each worker's memory after every page has
gone through every worker of the miss server, and again after the month calendar and the largest
page were built N times each. ``--server-env NAME=VALUE`` sets gunicorn's environment
(``MALLOC_ARENA_MAX=2``, ``GUNICORN_CMD_ARGS=...``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pages_gunicorn
import pages_writes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "localbzz-demo"
STAFF = [
    ("dashboard /", "/"),
    ("calendar /content/", "/content/"),
    ("calendar, week", "/content/?view=week"),
    ("content list", "/content/?view=list"),
    ("library /library/", "/library/"),
    ("tasks /tasks/", "/tasks/"),
]
STAFF_API = [("GET /api/v1/posts", "/api/v1/posts"), ("GET /api/v1/media", "/api/v1/media")]
PORTAL = [
    ("portal home", "/"),
    ("portal posts", "/posts/"),
    ("portal calendar", "/posts/?view=month"),
    ("portal media", "/media/"),
]
CLIENT_API = [("client scheduled-posts", "/api/v1/client/scheduled-posts")]
LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, e.status,
    e.connect + e.read + e.write + e.timeout, summary.duration, latency:percentile(50), latency:percentile(95)))
end
"""


def server_env(args, static_root: str) -> dict[str, str]:
    key_file = ROOT / "var" / "field_encryption_key"  # the key `seed_demo` encrypted demo tokens with
    if key_file.exists():
        keys = key_file.read_text().strip()
    else:
        from cryptography.fernet import Fernet

        keys = Fernet.generate_key().decode()
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=os.environ.get("FIELD_ENCRYPTION_KEYS") or keys,
        SECURE_SSL_REDIRECT="0",
        RATE_LIMIT_ENABLED="0",
        STATIC_ROOT=static_root,
        VAR_DIR=tempfile.mkdtemp(prefix="bench-pages-var-"),
        APP_HOST=f"localhost:{args.port}",
        # The staff and client tokens are made once, at the start: they must outlive the run (the
        # 15-minute default expired mid-run, and the API lists then measured 401s).
        JWT_ACCESS_MINUTES=os.environ.get("BENCH_JWT_MINUTES", "240"),
    )
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    else:
        env.pop("REDIS_URL", None)
    return env


def request(port: int, path: str, headers: dict[str, str], method: str = "GET", body: bytes | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def sign_in(port: int) -> dict[str, dict[str, str]]:
    """Headers per audience: staff session, staff JWT, portal session (Host), client JWT."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count

    from agency.models import User
    from portal.models import ClientUser

    def session_for(user) -> str:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    owner = User.objects.get(email="owner@localbzz.local")
    busiest = (
        ClientUser.objects.filter(client__slug__startswith="vol-")
        .annotate(n=Count("client__posts"))
        .order_by("-n")
        .select_related("user", "client")
        .first()
    )
    if busiest is None:
        sys.exit("No seed_volume data in this database: run `manage.py seed_volume` first (see this file's doc).")

    def token(path: str, email: str) -> str:
        status, data = request(
            port,
            path,
            {"Content-Type": "application/json", "Host": "localhost"},
            "POST",
            json.dumps({"email": email, "password": PASSWORD}).encode(),
        )
        body = json.loads(data)
        if status != 200:
            sys.exit(f"Sign-in at {path} failed: {status} {body}")
        return body.get("access_token") or body["access"]

    host = f"{busiest.client.slug}.localhost"
    print(f"portal: {busiest.client.name} ({busiest.n} posts), {host}")
    return {
        "staff": {"Host": "localhost", "Cookie": session_for(owner)},
        "staff_api": {"Host": "localhost", "Authorization": f"Bearer {token('/api/v1/auth/token', owner.email)}"},
        "portal": {"Host": host, "Cookie": session_for(busiest.user)},
        "client_api": {
            "Host": "localhost",
            "Authorization": f"Bearer {token('/api/v1/client/login', busiest.user.email)}",
        },
    }


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / os.sysconf("SC_CLK_TCK")


def rss_mb(pids: list[int]) -> list[float]:
    out = []
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out.append(int(line.split()[1]) / 1024)
    return out


def wrk(port: int, path: str, headers: dict, users: int, seconds: int, lua: str) -> dict:
    cmd = ["wrk", f"-t{min(users, 2)}", f"-c{users}", f"-d{seconds}s", "--timeout", "60s", "-s", lua]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run([*cmd, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    n, status_errors, socket_errors, duration_us, p50, p95 = (int(v) for v in line.split()[1:])
    return {"n": n, "errors": status_errors + socket_errors, "rps": n / (duration_us / 1e6), "p50": p50, "p95": p95}


def drain(pids: list[int]) -> None:
    """Wait until the workers are idle: when wrk stops, gunicorn still answers the requests queued
    on its socket (it cannot tell the client left), which would land in the next run."""
    last = cpu_seconds(pids)
    for _ in range(600):
        time.sleep(0.5)
        now = cpu_seconds(pids)
        if now - last < 0.02:
            return
        last = now


class Server:
    """One gunicorn (3 sync workers) of the bench, its workers counting kept fragments (``pages_gunicorn``)."""

    def __init__(self, mode: str, port: int, env: dict[str, str], counts: str):
        self.mode, self.port, self.counts = mode, port, counts
        config = str(ROOT / "bench" / "pages_gunicorn.py")
        gunicorn = [str(ROOT / ".venv" / "bin" / "gunicorn"), "localbzz.wsgi", "--bind", f"127.0.0.1:{port}"]
        self.process = subprocess.Popen(
            [*gunicorn, "-c", config, "--workers", "3", "--worker-class", "sync", "--timeout", "120",
             "--log-level", "warning"],
            cwd=ROOT,
            env={**env, "DATACACHE": "1" if mode == "hit" else "0", "BENCH_FRAGMENT_COUNTS": counts},
        )  # fmt: skip
        self.master = self.process.pid

    def fragments(self) -> tuple[int, int]:
        return pages_gunicorn.read_counts(self.counts)

    def calls_by_worker(self) -> dict[int, int]:
        return {int(name): calls for name, (calls, _builds) in pages_gunicorn.counts_by_worker(self.counts).items()}


class Writer:
    """The writer process (``pages_writes.serve``): writes ``rate`` times a second between
    ``start()`` and ``stop()``; ``totals`` adds up what it did over the runs."""

    def __init__(self, rate: float):
        context = multiprocessing.get_context("spawn")  # its own Django, its own database connection
        self.conn, child = context.Pipe()
        self.process = context.Process(target=pages_writes.serve, args=(child, rate), daemon=True)
        self.process.start()
        if not self.conn.poll(180):
            sys.exit("The writer process did not start")
        self.conn.recv()
        self.totals: dict = {"writes": 0, "seconds": 0.0, "done": {}, "failures": []}

    def start(self) -> None:
        self.conn.send("start")

    def stop(self) -> dict:
        self.conn.send("stop")
        report = self.conn.recv()
        self.totals["writes"] += report["writes"]
        self.totals["seconds"] += report["seconds"]
        for what, n in report["done"].items():
            self.totals["done"][what] = self.totals["done"].get(what, 0) + n
        self.totals["failures"] = (self.totals["failures"] + report["failures"])[:5]
        return report

    def close(self) -> None:
        self.conn.send("quit")
        self.process.join(30)


def measure(server: Server, path, headers, users, seconds, lua, writer: Writer | None = None) -> dict:
    pids = worker_pids(server.master)
    drain(pids)
    before, (calls, builds) = cpu_seconds(pids), server.fragments()
    if writer:
        writer.start()
    result = wrk(server.port, path, headers, users, seconds, lua)
    if writer:
        result["writes"] = writer.stop()["writes"]
    result["cpu_ms"] = (cpu_seconds(pids) - before) * 1000 / max(result["n"], 1)
    calls_after, builds_after = server.fragments()
    result["calls"], result["builds"] = calls_after - calls, builds_after - builds
    drain(pids)  # requests still queued are answered outside the measurement
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8600)))
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--users", default="1,50", help="concurrent users, comma-separated")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""), help="cache and broker")
    parser.add_argument("--modes", default="hit,miss", help="hit (cache on), miss (a server with DATACACHE=0)")
    parser.add_argument("--pages", default="", help="only the pages whose name holds one of these (comma-separated)")
    parser.add_argument("--writes", default="0", help="writes per second during each page's runs, comma-separated")
    parser.add_argument("--memory", type=int, default=0, help="warm workers, then request the heaviest pages N times")
    parser.add_argument(
        "--server-env", action="append", default=[], metavar="NAME=VALUE", help="for gunicorn (MALLOC_ARENA_MAX=2)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database filled by seed_volume (see this file's doc).")
    static_root = tempfile.mkdtemp(prefix="bench-pages-static-")
    env = server_env(args, static_root)
    os.environ.update(env)  # this process (and the writer) signs people in: the same secret key and database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "localbzz.settings")
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    modes = [m for m in args.modes.split(",") if m]
    if not modes or set(modes) - {"hit", "miss"}:
        sys.exit("--modes takes hit, miss or both")
    server_extra = dict(item.split("=", 1) for item in args.server_env)
    servers: dict[str, Server] = {}
    for offset, mode in enumerate([*modes, *(["miss"] if args.memory and "miss" not in modes else [])]):
        counts = Path(static_root) / f"fragments-{mode}"
        counts.mkdir()
        servers[mode] = Server(mode, args.port + offset, {**env, **server_extra}, str(counts))
    lua = Path(static_root) / "report.lua"
    lua.write_text(LUA)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("Stopped (SIGTERM)"))  # the servers stop too (finally)
    try:
        for server in servers.values():
            for _ in range(100):
                try:
                    if request(server.port, "/healthz", {"Host": "localhost"})[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.2)
            else:
                sys.exit("gunicorn did not answer /healthz")
        run(args, modes, servers, sign_in(args.port), str(lua))
    finally:
        for server in servers.values():
            server.process.terminate()
            server.process.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)


def run(args, modes: list[str], servers: dict[str, Server], headers: dict, lua: str) -> None:
    """``modes``: the servers measured ("hit", "miss"); ``servers`` may hold one more, a miss
    server for ``--memory`` only. The floor is measured on the first server, right before each page."""
    cases = [("/healthz (floor)", "/healthz", {"Host": "localhost"})]
    cases += [(name, path, headers["staff"]) for name, path in STAFF]
    cases += [(name, path, headers["staff_api"]) for name, path in STAFF_API]
    cases += [(name, path, headers["portal"]) for name, path in PORTAL]
    cases += [(name, path, headers["client_api"]) for name, path in CLIENT_API]
    if args.pages:
        wanted = [w.strip() for w in args.pages.split(",") if w.strip()]
        cases = cases[:1] + [c for c in cases[1:] if any(w in c[0] for w in wanted)]
    users = [int(u) for u in args.users.split(",")]
    rates = [float(r) for r in args.writes.split(",")]
    floor_server = servers[modes[0]]
    load = os.getloadavg()
    print(
        f"gunicorn: 3 sync workers per server {[(s.mode, s.port, s.master) for s in servers.values()]}; "
        f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 CPUs)",
        flush=True,
    )

    single: dict[tuple[str, str], tuple[float, int]] = {}
    memory: dict[str, list] = {}
    for mode in modes:
        server = servers[mode]
        memory_before = rss_mb(worker_pids(server.master))
        for name, path, h in cases:
            status, body = request(server.port, path, h)
            if status != 200:
                sys.exit(f"{name}: {path} answered {status} ({mode})")
            times = []
            for _ in range(10):
                t0 = time.perf_counter()
                request(server.port, path, h)
                times.append((time.perf_counter() - t0) * 1000)
            single[(name, mode)] = (statistics.median(times), len(body))
        memory[mode] = [memory_before, rss_mb(worker_pids(server.master))]

    results: dict[tuple[str, int, str, float], tuple[dict, dict]] = {}
    writers: dict[float, dict] = {}
    for rate in rates:
        writer = Writer(rate) if rate else None
        try:
            for u in users:
                for name, path, h in cases[1:]:
                    # The floor under the same writes: the writer's own CPU and database work is
                    # then in both, and the page's multiple is what the writes cost the page.
                    floor = measure(floor_server, "/healthz", {"Host": "localhost"}, u, args.seconds, lua, writer)
                    for mode in modes:
                        page = measure(servers[mode], path, h, u, args.seconds, lua, writer)
                        results[(name, u, mode, rate)] = (page, floor)
                    print(f"  measured {name} at {u} users, {rate:g} writes/s", flush=True)
        finally:
            if writer:
                writer.close()
                writers[rate] = writer.totals
    print_table(cases, users, modes, rates, single, results)
    for rate, totals in writers.items():
        done = ", ".join(f"{what} {n}" for what, n in sorted(totals["done"].items()))
        print(
            f"writer at {rate:g}/s asked: {totals['writes']} writes in {totals['seconds']:.0f} s of wrk runs, "
            f"{totals['writes'] / max(totals['seconds'], 0.001):.2f}/s achieved ({done})"
        )
        for failure in totals["failures"]:
            print(f"  failed: {failure}")
    for mode in modes:
        before, after = memory[mode]
        growth = [b - a for a, b in zip(before, after, strict=False)]
        print(
            f"{mode} server's worker memory (RSS MB) before the single requests {[round(m) for m in before]}, after "
            f"{[round(m) for m in after]}, at the end {[round(m) for m in rss_mb(worker_pids(servers[mode].master))]}"
            f" (largest growth {max(growth):.1f} MB, from a fresh worker)"
        )
    if args.memory:
        memory_after_warmup(servers["miss"], cases[1:], args.memory)
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def print_table(cases, users, modes, rates, single, results) -> None:
    """Per page, mode and write rate; hit% is the share of the page's kept fragments found kept."""
    print()
    header = f"{'page':24} {'mode':4} {'w/s':>3} {'single':>7} {'KB':>6}"
    for u in users:
        header += f" | {u:>2} users: p50 ms  p95 ms (×floor)  CPU ms/req (×floor)  req/s err  hit%"
    print(header)
    for name, _path, _h in cases:
        for mode in modes:
            for rate in rates if name != cases[0][0] else rates[:1]:
                ms, size = single[(name, mode)]
                line = f"{name:24} {mode:4} {rate:3g} {ms:7.1f}  {size / 1024:5.1f}"
                for u in users if name != cases[0][0] else ():
                    page, floor = results[(name, u, mode, rate)]
                    p95 = page["p95"] / 1000
                    hits = f"{100 * (1 - page['builds'] / page['calls']):5.1f}" if page["calls"] else "    -"
                    line += (
                        f" | {page['p50'] / 1000:13.1f} {p95:7.1f} ({page['p95'] / max(floor['p95'], 1):5.1f}×)"
                        f"  {page['cpu_ms']:8.1f} ({page['cpu_ms'] / max(floor['cpu_ms'], 0.01):5.1f}×)"
                        f"  {page['rps']:6.1f} {page['errors']:3d} {hits}"
                    )
                print(line)
    for rate in rates:
        for u in users:
            fl = [results[(name, u, modes[0], rate)][1] for name, _, _ in cases[1:]]
            p95 = statistics.median(f["p95"] for f in fl) / 1000
            cpu = statistics.median(f["cpu_ms"] for f in fl)
            print(
                f"/healthz floor at {u} users, {rate:g} writes/s (median of its {len(fl)} runs): "
                f"p95 {p95:.1f} ms, CPU {cpu:.2f} ms/req"
            )


def memory_after_warmup(server: Server, cases: list, n: int) -> None:
    """Worker memory around the heaviest pages built (the miss server), from warm workers: every
    page first goes through every worker (its first request's imports and caches are not growth),
    then the month calendar and the largest other page ``n`` times each, 3 at a time."""
    pids = worker_pids(server.master)
    sizes: dict[str, int] = {}
    with ThreadPoolExecutor(6) as pool:
        for name, path, h in cases:
            served = server.calls_by_worker()
            for _ in range(20):  # rounds of 6 at once until each worker has served the page
                answers = list(pool.map(lambda _, path=path, h=h: request(server.port, path, h), range(6)))
                if any(status != 200 for status, _body in answers):
                    sys.exit(f"{name}: {path} answered {[status for status, _ in answers]} (memory warm-up)")
                sizes[name] = max(len(body) for _status, body in answers)
                now = server.calls_by_worker()
                if all(now.get(pid, 0) > served.get(pid, 0) for pid in pids):
                    break
            else:
                print(f"  (warm-up: not every worker served {name})")
    heavy = [c for c in cases if c[1] == "/content/"]
    heavy += [max((c for c in cases if c not in heavy), key=lambda c: sizes[c[0]])]
    before = rss_mb(pids)
    with ThreadPoolExecutor(3) as pool:
        for _name, path, h in heavy:
            list(pool.map(lambda _, path=path, h=h: request(server.port, path, h), range(n)))
    after = rss_mb(pids)
    pages = ", ".join(c[0] for c in heavy)
    print(f"worker memory after a warm-up ({server.mode} server; then {pages}, {n} times each), RSS MB:")
    for pid, b, a in zip(pids, before, after, strict=True):
        print(f"  worker {pid}: {b:.1f} → {a:.1f} ({a - b:+.1f})")


if __name__ == "__main__":
    main()
