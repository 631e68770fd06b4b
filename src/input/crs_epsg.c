/* EPSG coordinate reference systems through PROJ (proj_create_crs_to_crs to EPSG:4326,
 * normalised to longitude/latitude order), beside the engine's own GCJ-02 and BD-09 (crs.c).
 * PROJ picks the best available transformation; for CGCS2000 (EPSG:4490) and WGS84 it is
 * the null transformation, as both realise the ITRF to within centimetres. */
#include "crs_epsg.h"

#include <ctype.h>
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lifecircle/crs.h"
#include "lifecircle/status.h"

void crs_ref_close(struct crs_ref *c) {
  if (!c)
    return;
  if (c->pj)
    proj_destroy(c->pj);
  if (c->ctx)
    proj_context_destroy(c->ctx);
  c->pj = NULL;
  c->ctx = NULL;
}

/* Parses "EPSG:NNNN" (also "epsg: NNNN"); returns the code, or 0 when name is not one. */
static int parse_epsg(const char *name) {
  if (strncasecmp(name, "EPSG:", 5) != 0)
    return 0;
  const char *p = name + 5;
  while (*p == ' ')
    p++;
  if (!isdigit((unsigned char)*p))
    return -1;
  long v = 0;
  for (; isdigit((unsigned char)*p); p++) {
    v = v * 10 + (*p - '0');
    if (v > 999999)
      return -1;
  }
  return *p == '\0' && v > 0 ? (int)v : -1;
}

int crs_ref_open(const char *name, struct crs_ref *c) {
  memset(c, 0, sizeof *c);
  if (!name)
    LC_FAIL(LC_EPARAM, "no coordinate reference system given (allowed: wgs84, gcj02, bd09 or "
                       "EPSG:NNNN)");
  int code = parse_epsg(name);
  if (code < 0)
    LC_FAIL(LC_EPARAM, "malformed EPSG code '%s' (expected EPSG:NNNN, e.g. EPSG:4490)", name);
  if (code == 0) {
    int kind;
    if (crs_parse(name, &kind) != LC_OK)
      LC_FAIL(LC_EPARAM,
              "unknown coordinate reference system '%s' (allowed: wgs84, gcj02, "
              "bd09 or EPSG:NNNN, e.g. EPSG:4490 for CGCS2000)",
              name);
    c->kind = kind;
    c->epsg = kind == CRS_WGS84 ? 4326 : 0;
    snprintf(c->name, sizeof c->name, "%s", crs_name(kind));
    return LC_OK;
  }
  if (code == 4326) {
    c->kind = CRS_WGS84;
    c->epsg = 4326;
    snprintf(c->name, sizeof c->name, "wgs84");
    return LC_OK;
  }
  c->kind = CRS_EPSG;
  c->epsg = code;
  snprintf(c->name, sizeof c->name, "EPSG:%d", code);
  PJ_CONTEXT *ctx = proj_context_create();
  if (!ctx)
    LC_FAIL(LC_ENOMEM, "cannot create a PROJ context for %s", c->name);
  proj_log_level(ctx, PJ_LOG_NONE);
  c->ctx = ctx;
  PJ *src = proj_create(ctx, c->name);
  if (!src) {
    crs_ref_close(c);
    LC_FAIL(LC_EPARAM,
            "unknown coordinate reference system %s: PROJ's database (package "
            "proj-data) has no such EPSG code",
            name);
  }
  PJ_TYPE t = proj_get_type(src);
  proj_destroy(src);
  if (t == PJ_TYPE_PROJECTED_CRS) {
    c->projected = 1;
  } else if (t != PJ_TYPE_GEOGRAPHIC_2D_CRS) {
    crs_ref_close(c);
    LC_FAIL(LC_EPARAM,
            "%s is not a 2D geographic or projected coordinate reference system "
            "(layers need longitude/latitude or easting/northing)",
            name);
  }
  PJ *op = proj_create_crs_to_crs(ctx, c->name, "EPSG:4326", NULL);
  PJ *norm = op ? proj_normalize_for_visualization(ctx, op) : NULL;
  if (op)
    proj_destroy(op);
  if (!norm) {
    int e = proj_context_errno(ctx);
    char msg[256];
    snprintf(msg, sizeof msg, "%s", e ? proj_context_errno_string(ctx, e) : "no operation");
    crs_ref_close(c);
    LC_FAIL(LC_EPARAM, "PROJ finds no transformation from %s to WGS84: %s", name, msg);
  }
  c->pj = norm;
  return LC_OK;
}

int crs_ref_to_wgs84(const struct crs_ref *c, double x, double y, double *lon, double *lat) {
  if (!isfinite(x) || !isfinite(y))
    return LC_EFORMAT;
  if (!c->projected && !crs_valid_lonlat(x, y))
    return LC_EFORMAT;
  if (c->kind != CRS_EPSG) {
    if (crs_to_wgs84(c->kind, x, y, lon, lat) != LC_OK) {
      lc_error_clear();
      return LC_EFORMAT;
    }
    return LC_OK;
  }
  PJ_COORD in = proj_coord(x, y, 0, 0);
  PJ_COORD out = proj_trans(c->pj, PJ_FWD, in);
  if (!isfinite(out.xy.x) || !isfinite(out.xy.y) || out.xy.x == HUGE_VAL ||
      !crs_valid_lonlat(out.xy.x, out.xy.y)) {
    proj_errno_reset(c->pj);
    return LC_EFORMAT;
  }
  *lon = out.xy.x;
  *lat = out.xy.y;
  return LC_OK;
}

long crs_geojson_epsg(const char *name) {
  if (!name)
    return 0;
  if (strstr(name, "CRS84") || strstr(name, "crs84"))
    return 4326;
  /* "EPSG:4490", "urn:ogc:def:crs:EPSG::4490": the code is the last ':' field. */
  if (!strstr(name, "EPSG") || !strrchr(name, ':'))
    return 0;
  long code = strtol(strrchr(name, ':') + 1, NULL, 10);
  return code > 0 ? code : 0;
}

static int crs_has_suffix(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

int crs_need_gdal(const char *path) {
  static const char *const gdal_only[] = {".gpkg", ".shp",    ".kml", ".kmz", ".gml", ".tab",
                                          ".fgb",  ".sqlite", ".gpx", ".dxf", ".zip"};
  for (size_t k = 0; k < sizeof gdal_only / sizeof *gdal_only; k++)
    if (crs_has_suffix(path, gdal_only[k])) {
      size_t n = strlen(path) - strlen(gdal_only[k]);
      LC_FAIL(LC_EFORMAT,
              "%s: %s files are read through GDAL, which the engine does not link; convert "
              "the layer to GeoJSON in WGS84 once with:\n  python3 analysis/prepare.py "
              "vector %s -o %.*s.geojson\nand give that file (any CRS with an EPSG code is "
              "transformed; add --layer NAME for a file with several layers)",
              path, gdal_only[k] + 1, path, (int)n, path);
    }
  return LC_OK;
}
