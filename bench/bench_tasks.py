"""Task functions for the benchmark's handful of real worker executions (see seed.py).

Only `seed.py --real-jobs` runs these, inside an in-process RQ SimpleWorker. The bulk
jobs seeded elsewhere merely name these functions; they are never executed.
"""


def charge_card(order_id, amount, currency="EUR"):
    """Pretend to charge a card; fails for amounts that do not divide evenly."""
    if amount % 7 == 0:
        raise ValueError(f"card declined for order {order_id}: amount {amount} {currency}")
    return {"order_id": order_id, "charged": amount, "currency": currency}


def send_email(to, subject, body=""):
    """Pretend to send an email."""
    return f"sent {subject!r} to {to}"


def divide(a, b):
    """Fails with ZeroDivisionError when b == 0."""
    return a / b
