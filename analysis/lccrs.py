"""WGS84 -> GCJ-02 and GCJ-02 -> BD-09 for export copies used by AMap and Baidu
maps: the forward formulas of src/input/crs.c (whose inverses the engine applies on
load), vectorised with numpy. ``to_wgs84`` inverts them by the same fixed-point
iteration as the engine, for reading GCJ-02/BD-09 inputs here.

GCJ-02: the widely published offset polynomials in x = lon - 105, y = lat - 35 on
the Krasovsky 1940 ellipsoid (a = 6378245 m, e^2 = 0.00669342162296594323);
BD-09: Baidu's published transform from GCJ-02 (x_pi = pi * 3000 / 180).
"""

import numpy as np

KRASOVSKY_A = 6378245.0
KRASOVSKY_EE = 0.00669342162296594323
BD_X_PI = np.pi * 3000.0 / 180.0
CRS_NAMES = ("wgs84", "gcj02", "bd09")


def _outside_china(lon, lat):
    """The published rough box of mainland China outside which no offset applies."""
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def wgs84_to_gcj02(lon, lat):
    """GCJ-02 (lon, lat) arrays of WGS84 positions."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    x, y = lon - 105.0, lat - 35.0
    pi = np.pi
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y
            + 0.2 * np.sqrt(np.abs(x)))
    dlat += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    phi = lat / 180.0 * pi
    s = np.sin(phi)
    w2 = 1.0 - KRASOVSKY_EE * s * s
    w = np.sqrt(w2)
    m = KRASOVSKY_A * (1.0 - KRASOVSKY_EE) / (w2 * w)
    n = KRASOVSKY_A / w
    out = _outside_china(lon, lat)
    glat = np.where(out, lat, lat + dlat * 180.0 / (m * pi))
    glon = np.where(out, lon, lon + dlon * 180.0 / (n * np.cos(phi) * pi))
    return glon, glat


def gcj02_to_bd09(lon, lat):
    """BD-09 (lon, lat) arrays of GCJ-02 positions."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * BD_X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * BD_X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def from_wgs84(crs, lon, lat):
    """WGS84 positions in ``crs`` ("wgs84", "gcj02" or "bd09")."""
    if crs == "wgs84":
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    glon, glat = wgs84_to_gcj02(lon, lat)
    if crs == "gcj02":
        return glon, glat
    if crs == "bd09":
        return gcj02_to_bd09(glon, glat)
    raise ValueError("unknown coordinate reference system %r (wgs84, gcj02, bd09)" % crs)


def _invert(forward, lon, lat):
    """Fixed-point inverse w <- w - (F(w) - target), as in src/input/crs.c."""
    tx = np.asarray(lon, dtype=float)
    ty = np.asarray(lat, dtype=float)
    x, y = tx.copy(), ty.copy()
    for _ in range(50):
        fx, fy = forward(x, y)
        ex, ey = fx - tx, fy - ty
        x, y = x - ex, y - ey
        if np.all(np.abs(ex) < 1e-11) and np.all(np.abs(ey) < 1e-11):
            break
    return x, y


def to_wgs84(crs, lon, lat):
    """Positions given in ``crs`` converted to WGS84 (the engine's rule on load)."""
    if crs == "wgs84":
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if crs == "bd09":
        lon, lat = _invert(gcj02_to_bd09, lon, lat)
    elif crs != "gcj02":
        raise ValueError("unknown coordinate reference system %r" % crs)
    return _invert(wgs84_to_gcj02, lon, lat)
