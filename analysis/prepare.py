#!/usr/bin/env python3
"""Converts planners' GIS files into the formats the engine reads, with GDAL/OGR.

GDAL stays out of the MPI binary on purpose: Debian's libgdal links the serial HDF5 library,
and the engine links the parallel one; two HDF5 libraries with the same symbols in one
process are unsafe. So files that need GDAL are converted once, here:

  python3 analysis/prepare.py vector IN.{gpkg,shp,kml,geojson,...} -o OUT.geojson
        [--layer NAME] [--s-srs EPSG:NNNN]
    Any OGR vector layer (points for facility layers, polygons for zones) in any CRS the file
    declares (or --s-srs for a file without one) -> GeoJSON in WGS84, longitude first, every
    attribute kept (names lower-cased, so KML's Name becomes name).

  python3 analysis/prepare.py raster IN.tif -o OUT.csv [--subsamples N] [--band B]
    A population raster of persons per pixel (WorldPop, GHS-POP; any CRS) -> the CSV of
    sub-pixel samples that `Population: raster_samples:` reads: each pixel is split into
    N x N equal sub-pixels (default 4) whose centres are transformed to WGS84 and carry
    value / N^2 persons. Nodata pixels are skipped (and counted); a negative or non-finite
    value that is not the nodata value is an error naming the pixel.

Messages name the file and the feature or pixel; the exit status is 1 on a bad input.
"""
import argparse
import csv
import json
import math
import sys

from osgeo import gdal, ogr, osr

gdal.UseExceptions()
ogr.UseExceptions()
osr.UseExceptions()


class BadInput(Exception):
    pass


def wgs84():
    s = osr.SpatialReference()
    s.ImportFromEPSG(4326)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def source_srs(path, declared, given):
    if given:
        s = osr.SpatialReference()
        try:
            s.SetFromUserInput(given)
        except RuntimeError as e:
            raise BadInput("%s: unknown CRS %s (%s)" % (path, given, e))
    elif declared is not None:
        s = declared.Clone()
    else:
        raise BadInput("%s: the file declares no CRS; give it with --s-srs EPSG:NNNN" % path)
    s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return s


def prepare_vector(path, out, layer_name=None, s_srs=None):
    """Writes layer `layer_name` (the only one when None) of `path` to `out` as GeoJSON in
    WGS84; returns the number of features."""
    try:
        ds = ogr.Open(path)
    except RuntimeError as e:
        raise BadInput("%s: cannot open as a vector file: %s" % (path, e))
    if ds is None:
        raise BadInput("%s: cannot open as a vector file" % path)
    if layer_name is None:
        if ds.GetLayerCount() != 1:
            names = [ds.GetLayerByIndex(i).GetName() for i in range(ds.GetLayerCount())]
            raise BadInput("%s: %d layers (%s); choose one with --layer NAME"
                           % (path, len(names), ", ".join(names)))
        lyr = ds.GetLayerByIndex(0)
    else:
        lyr = ds.GetLayerByName(layer_name)
        if lyr is None:
            raise BadInput("%s: no layer named '%s'" % (path, layer_name))
    src = source_srs(path, lyr.GetSpatialRef(), s_srs)
    ct = osr.CoordinateTransformation(src, wgs84())
    defn = lyr.GetLayerDefn()
    fields = [defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())]
    lower = {f: f.lower() for f in fields}
    if len(set(lower.values())) != len(fields):
        lower = {f: f for f in fields}
    features = []
    for k, feat in enumerate(lyr, start=1):
        geom = feat.GetGeometryRef()
        if geom is None:
            raise BadInput("%s: feature %d has no geometry" % (path, k))
        geom = geom.Clone()
        geom.FlattenTo2D()
        try:
            geom.Transform(ct)
        except RuntimeError as e:
            raise BadInput("%s: feature %d cannot be transformed to WGS84: %s" % (path, k, e))
        props = {}
        for i, f in enumerate(fields):
            if not feat.IsFieldSetAndNotNull(i):
                continue
            if defn.GetFieldDefn(i).GetType() == ogr.OFTTime:
                # Opening hours stored as a time type: the engine reads "HH:MM".
                h, mi, sec = feat.GetFieldAsDateTime(i)[3:6]
                props[lower[f]] = ("%02d:%02d" % (h, mi) if sec == 0
                                   else "%02d:%02d:%02g" % (h, mi, sec))
            else:
                props[lower[f]] = feat.GetField(i)
        # No feature "id" member: FIDs start at 0 or 1 by format; the engine numbers
        # features without an id property by position instead.
        features.append({"type": "Feature", "properties": props, "geometry": json.loads(geom.ExportToJson())})
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False)
    return len(features)


def prepare_raster(path, out, subsamples=4, band=1):
    """Writes the sub-pixel samples of `path` to `out`; returns (samples, persons, nodata
    pixels skipped)."""
    if subsamples < 1 or subsamples > 16:
        raise BadInput("--subsamples must be 1..16 (got %d)" % subsamples)
    try:
        ds = gdal.Open(path)
    except RuntimeError as e:
        raise BadInput("%s: cannot open as a raster: %s" % (path, e))
    if band < 1 or band > ds.RasterCount:
        raise BadInput("%s: no band %d (the file has %d)" % (path, band, ds.RasterCount))
    gt = ds.GetGeoTransform(can_return_null=True)
    if gt is None:
        raise BadInput("%s: no georeferencing (not a GeoTIFF?)" % path)
    wkt = ds.GetProjection()
    declared = None
    if wkt:
        declared = osr.SpatialReference()
        declared.ImportFromWkt(wkt)
    ct = osr.CoordinateTransformation(source_srs(path, declared, None), wgs84())
    b = ds.GetRasterBand(band)
    nodata = b.GetNoDataValue()
    a = b.ReadAsArray().astype("float64")
    n = subsamples
    offs = [(i + 0.5) / n for i in range(n)]
    total, count, skipped = 0.0, 0, 0
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["lon", "lat", "persons", "row", "col"])
        for r in range(a.shape[0]):
            for c in range(a.shape[1]):
                v = a[r, c]
                if nodata is not None and (v == nodata or (math.isnan(nodata) and math.isnan(v))):
                    skipped += 1
                    continue
                if not math.isfinite(v) or v < 0:
                    raise BadInput("%s: pixel (row %d, column %d) holds %r: persons per pixel "
                                   "must be finite and >= 0 (declare the nodata value in the "
                                   "file if it marks missing data)" % (path, r + 1, c + 1, v))
                if v == 0:
                    continue
                pts = []
                for dy in offs:
                    for dx in offs:
                        x = gt[0] + (c + dx) * gt[1] + (r + dy) * gt[2]
                        y = gt[3] + (c + dx) * gt[4] + (r + dy) * gt[5]
                        pts.append((x, y))
                for lon, lat, _ in ct.TransformPoints(pts):
                    w.writerow(["%.9f" % lon, "%.9f" % lat, repr(v / (n * n)), r + 1, c + 1])
                    count += 1
                total += v
    return count, total, skipped


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    v = sub.add_parser("vector", help="any OGR vector layer -> GeoJSON in WGS84")
    v.add_argument("input")
    v.add_argument("-o", "--output", required=True)
    v.add_argument("--layer")
    v.add_argument("--s-srs", help="the CRS of a file that declares none, e.g. EPSG:4490")
    r = sub.add_parser("raster", help="population GeoTIFF -> sub-pixel samples CSV")
    r.add_argument("input")
    r.add_argument("-o", "--output", required=True)
    r.add_argument("--subsamples", type=int, default=4)
    r.add_argument("--band", type=int, default=1)
    a = ap.parse_args(argv)
    try:
        if a.what == "vector":
            n = prepare_vector(a.input, a.output, a.layer, a.s_srs)
            print("%s: %d features written to %s (WGS84)" % (a.input, n, a.output))
        else:
            n, total, skipped = prepare_raster(a.input, a.output, a.subsamples, a.band)
            print("%s: %d samples, %.6f persons in all, %d nodata pixels skipped -> %s"
                  % (a.input, n, total, skipped, a.output))
    except BadInput as e:
        print("prepare.py: error: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
