"""Polling stations abroad: 68 stations in 53 countries, at the host capitals.

The posts are plausible, not the election commission's list; all report to the TEC of
Esil district of Astana (`ABROAD_TEC_DISTRICT`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from planner.schema import ABROAD_REGION

from .apportion import bounded_apportion
from .figures import ABROAD_VOTERS, VOTERS_MAX, VOTERS_MIN
from .geometry import km_to_deg, rnd

ABROAD_POSTS = (
    ("Russia", "Moscow", 37.6176, 55.7558, "Europe/Moscow", 6),
    ("China", "Beijing", 116.4074, 39.9042, "Asia/Shanghai", 3),
    ("United States", "Washington", -77.0369, 38.9072, "America/New_York", 3),
    ("Uzbekistan", "Tashkent", 69.2401, 41.2995, "Asia/Tashkent", 2),
    ("Kyrgyzstan", "Bishkek", 74.5698, 42.8746, "Asia/Bishkek", 2),
    ("Turkey", "Ankara", 32.8597, 39.9334, "Europe/Istanbul", 2),
    ("Germany", "Berlin", 13.4050, 52.5200, "Europe/Berlin", 2),
    ("United Arab Emirates", "Abu Dhabi", 54.3773, 24.4539, "Asia/Dubai", 2),
    ("South Korea", "Seoul", 126.9780, 37.5665, "Asia/Seoul", 2),
    ("Tajikistan", "Dushanbe", 68.7870, 38.5598, "Asia/Dushanbe", 1),
    ("Turkmenistan", "Ashgabat", 58.3833, 37.9601, "Asia/Ashgabat", 1),
    ("Mongolia", "Ulaanbaatar", 106.9057, 47.8864, "Asia/Ulaanbaatar", 1),
    ("Azerbaijan", "Baku", 49.8671, 40.4093, "Asia/Baku", 1),
    ("Georgia", "Tbilisi", 44.7930, 41.7151, "Asia/Tbilisi", 1),
    ("Armenia", "Yerevan", 44.5152, 40.1872, "Asia/Yerevan", 1),
    ("Belarus", "Minsk", 27.5615, 53.9045, "Europe/Minsk", 1),
    ("Ukraine", "Kyiv", 30.5234, 50.4501, "Europe/Kyiv", 1),
    ("Moldova", "Chisinau", 28.8638, 47.0105, "Europe/Chisinau", 1),
    ("Iran", "Tehran", 51.3890, 35.6892, "Asia/Tehran", 1),
    ("Pakistan", "Islamabad", 73.0479, 33.6844, "Asia/Karachi", 1),
    ("India", "New Delhi", 77.2090, 28.6139, "Asia/Kolkata", 1),
    ("Japan", "Tokyo", 139.6917, 35.6895, "Asia/Tokyo", 1),
    ("Malaysia", "Kuala Lumpur", 101.6869, 3.1390, "Asia/Kuala_Lumpur", 1),
    ("Singapore", "Singapore", 103.8198, 1.3521, "Asia/Singapore", 1),
    ("Thailand", "Bangkok", 100.5018, 13.7563, "Asia/Bangkok", 1),
    ("Vietnam", "Hanoi", 105.8342, 21.0278, "Asia/Ho_Chi_Minh", 1),
    ("Indonesia", "Jakarta", 106.8456, -6.2088, "Asia/Jakarta", 1),
    ("Australia", "Canberra", 149.1300, -35.2809, "Australia/Sydney", 1),
    ("Saudi Arabia", "Riyadh", 46.6753, 24.7136, "Asia/Riyadh", 1),
    ("Qatar", "Doha", 51.5310, 25.2854, "Asia/Qatar", 1),
    ("Kuwait", "Kuwait City", 47.9774, 29.3759, "Asia/Kuwait", 1),
    ("Jordan", "Amman", 35.9106, 31.9539, "Asia/Amman", 1),
    ("Egypt", "Cairo", 31.2357, 30.0444, "Africa/Cairo", 1),
    ("United Kingdom", "London", -0.1276, 51.5072, "Europe/London", 1),
    ("France", "Paris", 2.3522, 48.8566, "Europe/Paris", 1),
    ("Italy", "Rome", 12.4964, 41.9028, "Europe/Rome", 1),
    ("Spain", "Madrid", -3.7038, 40.4168, "Europe/Madrid", 1),
    ("Netherlands", "Amsterdam", 4.9041, 52.3676, "Europe/Amsterdam", 1),
    ("Belgium", "Brussels", 4.3517, 50.8503, "Europe/Brussels", 1),
    ("Austria", "Vienna", 16.3738, 48.2082, "Europe/Vienna", 1),
    ("Switzerland", "Bern", 7.4474, 46.9480, "Europe/Zurich", 1),
    ("Poland", "Warsaw", 21.0122, 52.2297, "Europe/Warsaw", 1),
    ("Czech Republic", "Prague", 14.4378, 50.0755, "Europe/Prague", 1),
    ("Hungary", "Budapest", 19.0402, 47.4979, "Europe/Budapest", 1),
    ("Bulgaria", "Sofia", 23.3219, 42.6977, "Europe/Sofia", 1),
    ("Greece", "Athens", 23.7275, 37.9838, "Europe/Athens", 1),
    ("Sweden", "Stockholm", 18.0686, 59.3293, "Europe/Stockholm", 1),
    ("Finland", "Helsinki", 24.9384, 60.1699, "Europe/Helsinki", 1),
    ("Latvia", "Riga", 24.1052, 56.9496, "Europe/Riga", 1),
    ("Lithuania", "Vilnius", 25.2797, 54.6872, "Europe/Vilnius", 1),
    ("Estonia", "Tallinn", 24.7536, 59.4370, "Europe/Tallinn", 1),
    ("Canada", "Ottawa", -75.6972, 45.4215, "America/Toronto", 1),
    ("Brazil", "Brasilia", -47.8825, -15.7942, "America/Sao_Paulo", 1),
)


def abroad_stations(tec_id: str, rng: np.random.Generator) -> pd.DataFrame:
    """68 stations at embassies and consular sections in 53 capitals."""
    rows = []
    for country, capital, lon, lat, tz, n in ABROAD_POSTS:
        pts = [(lon, lat)]
        dlon, dlat = km_to_deg(lat)
        for _ in range(n - 1):
            rho, phi = 2 + 6 * rng.random(), 2 * np.pi * rng.random()
            pts.append((lon + rho * math.cos(phi) * dlon, lat + rho * math.sin(phi) * dlat))
        for k, (x, y) in enumerate(pts):
            where = (
                f"Consular polling point {k + 1}" if k else "Embassy of the Republic of Kazakhstan"
            )
            rows.append(
                {
                    "country": country,
                    "settlement": capital,
                    "address": f"{capital}, {where}",
                    "tz": tz,
                    "lon": x,
                    "lat": y,
                    "weight": (3.0 if country == "Russia" else 1.0),
                }
            )
    st = pd.DataFrame(rows)
    st["number"] = [str(k + 1) for k in range(len(st))]
    st["station_id"] = "PS-" + ABROAD_REGION + "-" + st["number"].str.zfill(4)
    st["name"] = (
        "Polling station No. " + st["number"] + ", " + st["settlement"] + ", " + st["country"]
    )
    w = st["weight"].to_numpy() * rng.lognormal(0.0, 0.5, len(st))
    st["voters"] = bounded_apportion(ABROAD_VOTERS, w, VOTERS_MIN, VOTERS_MAX)
    st["region"] = ABROAD_REGION
    st["district"] = ABROAD_REGION
    st["tec_id"] = tec_id
    st["kind"] = "abroad"
    st["setting"] = "urban"
    st["lon"], st["lat"] = rnd(st["lon"]), rnd(st["lat"])
    return st
