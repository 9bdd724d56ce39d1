"""Create many active accounts quickly (bulk inserts; COPY on PostgreSQL).

Every account gets the same password, hashed once with the tenant's configured Argon2id
parameters (each row carries the same PHC string: verifying it costs exactly what verifying
a distinct hash costs). Identifiers are valid 13-character NIRs generated from the row
number, born in 2000-2009, so they never collide with the demo accounts.
Adapts to the account table's columns (clear identifier, or blind index + sealed copy).

Run with the provider's environment (IDP_CONFIG, IDP_DATABASE_URL). Idempotent: rows that
already exist (same identifier) are kept. Writes ``--sample`` [identifier, password] pairs
as JSON to ``--accounts-out`` for the load generator.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import uuid
from datetime import datetime, timezone

DEPTS = [f"{d:02d}" for d in range(1, 96) if d != 20]
PASSWORD = "Allocation2024"


def nir13(i: int) -> str:
    order, rest = i % 999 + 1, i // 999
    commune, rest = rest % 900 + 1, rest // 900
    dept, rest = DEPTS[rest % len(DEPTS)], rest // len(DEPTS)
    month, rest = rest % 12 + 1, rest // 12
    year, rest = rest % 10, rest // 10
    sex = 1 + rest % 2
    return f"{sex}0{year}{month:02d}{dept}{commune:03d}{order:03d}"


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tenant", default="caf")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--sample", type=int, default=1000, help="accounts written to --accounts-out")
    p.add_argument("--accounts-out")
    args = p.parse_args(argv)

    from sqlalchemy import func, select

    from idp.app import create_app
    from idp.store.db import db
    from idp.store.models import Account
    from idp.security.passwords import hasher

    app = create_app()
    started = time.perf_counter()
    with app.app_context():
        tenant = app.extensions["idp_tenants"][args.tenant]
        params = app.config["IDP_SETTINGS"].argon2_for(args.tenant)
        phc = hasher(params.memory_cost, params.time_cost, params.parallelism).hash(PASSWORD)
        scheme = tenant.identifier_scheme
        for i in range(min(args.count, 2000)):  # the generator makes identifiers the scheme accepts
            assert scheme.check(nir13(i)).value == nir13(i), nir13(i)
        table = Account.__table__
        names = set(table.c.keys())
        mine = Account.email.like("bench%@example.invalid")  # the rows this script made
        start = db.session.execute(select(func.count()).select_from(Account).where(
            Account.tenant == args.tenant, mine)).scalar_one()  # rows are made in order: resume
        now = datetime.now(timezone.utc).replace(tzinfo=None)
        if "identifier_index" in names:  # identifiers stored as a blind index + sealed copy
            from idp.security.vault import vault

            v = vault()

            def identity(value):
                return {"identifier_index": v.index(args.tenant, value),
                        "identifier_sealed": v.seal(args.tenant, value)}
        else:
            def identity(value):
                return {"identifier": value}
        fixed = {"tenant": args.tenant, "password_hash": phc, "status": "active", "email_verified": True,
                 "given_name": "Camille", "family_name": "Bench", "birthdate": "2001-01-01", "profile": {},
                 "created_at": now}
        fixed = {k: v for k, v in fixed.items() if k in names}
        for col in table.c:  # any other required column the model grows: its scalar default
            if col.name not in fixed and not col.nullable and not col.primary_key and col.name not in (
                    "identifier", "identifier_index", "identifier_sealed", "email"):
                if col.default is not None and getattr(col.default, "is_scalar", False):
                    fixed[col.name] = col.default.arg

        def row(i):
            return {"id": str(uuid.uuid4()), "email": f"bench{i}@example.invalid", **fixed, **identity(nir13(i))}

        cols = list(row(0))

        if db.engine.dialect.name == "postgresql":
            raw = db.engine.raw_connection()
            try:
                cur = raw.driver_connection.cursor()
                with cur.copy(f"COPY accounts ({', '.join(cols)}) FROM STDIN") as copy:
                    for i in range(start, args.count):
                        r = row(i)
                        r["profile"] = json.dumps(r["profile"]) if "profile" in r else None
                        copy.write_row([r[c] for c in cols])
                raw.driver_connection.commit()
                cur.execute("ANALYZE accounts")
                raw.driver_connection.commit()
                try:  # flush the bulk load now, not during the measurements (superuser only)
                    cur.execute("CHECKPOINT")
                except Exception:  # noqa: BLE001 - best effort
                    raw.driver_connection.rollback()
            finally:
                raw.close()
        else:
            batch = []
            for i in range(start, args.count):
                batch.append(row(i))
                if len(batch) == 10_000:
                    db.session.execute(table.insert(), batch)
                    batch = []
            if batch:
                db.session.execute(table.insert(), batch)
            db.session.commit()
        total = db.session.execute(
            select(func.count()).select_from(Account).where(Account.tenant == args.tenant)).scalar_one()
    sample = sorted(random.Random(7).sample(range(args.count), min(args.sample, args.count)))
    accounts = [[nir13(i), PASSWORD] for i in sample]
    if args.accounts_out:
        with open(args.accounts_out, "w") as fh:
            json.dump(accounts, fh)
    return {"created": max(0, args.count - start), "accounts_in_tenant": total,
            "seconds": round(time.perf_counter() - started, 1)}


if __name__ == "__main__":
    json.dump(main(), sys.stdout)
    print()
