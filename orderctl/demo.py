"""Realistic demo orders: BBWS's hosting catalogue, South African customers, some campaigns."""

from __future__ import annotations

import random
import string
from typing import Any

CATALOGUE = [
    ("wp-starter", "WordPress Starter Hosting", "149.00"),
    ("wp-pro", "WordPress Pro Hosting", "299.00"),
    ("wp-business", "WordPress Business Hosting", "599.00"),
    ("domain-coza", "co.za domain (1 year)", "99.00"),
    ("ssl-dv", "SSL certificate (DV, 1 year)", "349.00"),
    ("email-pro", "Professional email (5 mailboxes)", "199.00"),
    ("backup-daily", "Daily off-site backup", "79.00"),
    ("cdn-waf", "CDN and web application firewall", "129.00"),
]
PLACES = [
    ("Cape Town", "Western Cape", "8001"),
    ("Johannesburg", "Gauteng", "2001"),
    ("Durban", "KwaZulu-Natal", "4001"),
    ("Pretoria", "Gauteng", "0002"),
    ("Gqeberha", "Eastern Cape", "6001"),
    ("Bloemfontein", "Free State", "9301"),
    ("Stellenbosch", "Western Cape", "7600"),
]
STREETS = ["Long St", "Bree St", "Jan Smuts Ave", "Florida Rd", "Church St", "Main Rd"]
FIRST = [
    "Thandi",
    "Pieter",
    "Aisha",
    "Sipho",
    "Megan",
    "Johan",
    "Lerato",
    "Ravi",
    "Zanele",
    "Ayanda",
]
LAST = ["Nkosi", "van der Merwe", "Naidoo", "Dlamini", "Botha", "Mokoena", "Pillay", "Smith"]
CAMPAIGNS = [
    {"code": "SUMMER25", "name": "Summer sale", "discountPercent": "25.00"},
    {"code": "WELCOME10", "name": "Welcome discount", "discountPercent": "10.00"},
]


def tenant_ids(count: int) -> list[str]:
    """tenant-a, tenant-b, … (the local stack's demo tenants come first), then tenant-aa, …"""
    letters = string.ascii_lowercase
    names = [f"tenant-{c}" for c in letters] + [f"tenant-{a}{b}" for a in letters for b in letters]
    if count > len(names):
        raise ValueError(f"at most {len(names)} tenants")
    return names[:count]


def order(
    rng: random.Random, tenant_id: str | None = None, simulator: bool = False
) -> dict[str, Any]:
    """A CreateOrderRequest body. `simulator`: emails go to SES's mailbox simulator."""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    city, province, postal = rng.choice(PLACES)
    local_part = f"{first}.{last}".lower().replace(" ", "")
    email = (
        f"success+{local_part}@simulator.amazonses.com"
        if simulator
        else f"{local_part}{rng.randint(1, 999)}@example.com"
    )
    lines = rng.sample(CATALOGUE, k=rng.choice([1, 1, 2, 3]))
    body: dict[str, Any] = {
        "customerEmail": email,
        "currency": "ZAR",
        "items": [
            {
                "productId": product,
                "productName": name,
                "quantity": rng.choice([1, 1, 1, 2, 3]),
                "unitPrice": price,
            }
            for product, name, price in lines
        ],
        "billingAddress": {
            "fullName": f"{first} {last}",
            "line1": f"{rng.randint(1, 250)} {rng.choice(STREETS)}",
            "city": city,
            "province": province,
            "postalCode": postal,
            "country": "ZA",
        },
    }
    if rng.random() < 0.3:
        body["campaign"] = rng.choice(CAMPAIGNS)
    if tenant_id:
        body["tenantId"] = tenant_id
    return body
