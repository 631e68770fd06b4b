/* A layer's coordinate reference system in full: one of the engine's own (WGS84, GCJ-02,
 * BD-09; see crs.h) or any CRS with an EPSG code, transformed to WGS84 by PROJ. */
#ifndef LIFECIRCLE_CRS_EPSG_H
#define LIFECIRCLE_CRS_EPSG_H

/* Kind of a CRS given by EPSG code (after CRS_WGS84, CRS_GCJ02, CRS_BD09). */
#define CRS_EPSG 3

struct crs_ref {
  int kind;       /* CRS_WGS84, CRS_GCJ02, CRS_BD09 or CRS_EPSG. */
  int epsg;       /* The EPSG code (4326 for WGS84 itself), 0 for GCJ-02 and BD-09. */
  int projected;  /* 1 when the CRS's coordinates are metres (x, y), not degrees. */
  void *ctx, *pj; /* PROJ context and normalised transformation to EPSG:4326 (CRS_EPSG). */
  char name[64];  /* Canonical name for messages: "wgs84", "gcj02", "bd09", "EPSG:4490". */
};

/* Opens a CRS by name: "wgs84", "gcj02", "bd09" (as crs_parse) or "EPSG:NNNN" (case-
 * insensitive; "EPSG:4326" is WGS84 itself). An EPSG code is looked up in PROJ's database;
 * an unknown code, or one that is not a 2D geographic or projected CRS, is LC_EPARAM with a
 * message naming it. Coordinates are taken in the traditional GIS order (longitude or
 * easting first) whatever the axis order of the EPSG definition. Local; a crs_ref must not
 * be shared between threads. */
int crs_ref_open(const char *name, struct crs_ref *c);

/* Converts one point to WGS84 degrees. Geographic input must be finite and within
 * |lon| <= 180, |lat| <= 90; projected input finite. Returns LC_OK, or LC_EFORMAT (no
 * message recorded: the caller names the position) when the input is out of range or PROJ
 * cannot transform it. */
int crs_ref_to_wgs84(const struct crs_ref *c, double x, double y, double *lon, double *lat);

/* Releases PROJ's objects; safe on a zeroed or already closed crs_ref. */
void crs_ref_close(struct crs_ref *c);

/* The EPSG code named by a GeoJSON "crs" member's name ("EPSG:4490",
 * "urn:ogc:def:crs:EPSG::4490"; OGC's CRS84 is 4326), or 0 when it names none. */
long crs_geojson_epsg(const char *name);

/* Refuses, with the exact conversion command (analysis/prepare.py vector), a file in a format
 * read only through GDAL (GeoPackage, Shapefile, KML...), which the engine does not link:
 * Debian's libgdal brings the serial HDF5 beside the engine's parallel one. Returns LC_OK or
 * LC_EFORMAT naming the file. */
int crs_need_gdal(const char *path);

#endif
