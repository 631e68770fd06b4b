/* Coordinate reference systems of input layers: WGS84, the Chinese GCJ-02 offset datum used
 * by Chinese web maps, and Baidu's BD-09, with conversion of any of them to WGS84. */
#ifndef LIFECIRCLE_CRS_H
#define LIFECIRCLE_CRS_H

enum crs_kind { CRS_WGS84 = 0, CRS_GCJ02 = 1, CRS_BD09 = 2 };

/* Parses a CRS name: "wgs84", "gcj02" or "bd09", case-insensitive; the spellings with a
 * hyphen or underscore ("GCJ-02", "WGS_84", "BD-09") are accepted too. Returns LC_OK, or
 * LC_EPARAM with a message listing the allowed values. Local. */
int crs_parse(const char *name, int *crs);

/* Returns the canonical name of a CRS ("wgs84", "gcj02", "bd09"), or "unknown". */
const char *crs_name(int crs);

/* Returns 1 when lon/lat are finite numbers with |lon| <= 180 and |lat| <= 90, else 0.
 * Loaders call it first so that their message can name the file and the row. */
int crs_valid_lonlat(double lon, double lat);

/* Converts a point given in `crs` to WGS84 degrees. GCJ-02 is inverted by fixed-point
 * iteration of the forward transform to better than 1e-9 degrees, BD-09 through GCJ-02.
 * Outside mainland China's bounding box the GCJ-02 offset is zero, as in the published
 * transform. Returns LC_OK, LC_EPARAM for an unknown crs, or LC_EFORMAT for NaN or
 * out-of-range coordinates (the caller adds the position). Local. */
int crs_to_wgs84(int crs, double lon, double lat, double *wlon, double *wlat);

/* Converts a WGS84 point to `crs` (the forward transforms). Returns as crs_to_wgs84. */
int crs_from_wgs84(int crs, double lon, double lat, double *olon, double *olat);

/* The elementary transforms (no range checks). */
void crs_wgs84_to_gcj02(double lon, double lat, double *glon, double *glat);
void crs_gcj02_to_wgs84(double lon, double lat, double *wlon, double *wlat);
void crs_gcj02_to_bd09(double lon, double lat, double *blon, double *blat);
void crs_bd09_to_gcj02(double lon, double lat, double *glon, double *glat);

#endif
