/* Format checks that run before readosm sees a file. readosm trusts its input: it allocates
 * whatever sizes a PBF file announces, dereferences missing XML attributes (a <tag> without
 * v= crashes it), reads coordinates with atof (so lat="north" becomes 0) and reports an XML
 * error without its position. These checks read the file once more, in a streaming pass,
 * and refuse such input with the file and the position. */
#include "lifecircle/osm.h"

#include <errno.h>
#include <expat.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lifecircle/status.h"

/* Limits of the OSM PBF format (wiki.openstreetmap.org/wiki/PBF_Format): a BlobHeader
 * under 64 KiB, a Blob under 32 MiB. */
#define OSM_PBF_MAX_HEADER 65536
#define OSM_PBF_MAX_BLOB (32 * 1024 * 1024)

/* Reads a protobuf varint from buf[*pos..len); returns 0 when malformed. */
static int osm_pbf_varint(const unsigned char *buf, size_t len, size_t *pos, uint64_t *v) {
  *v = 0;
  for (int shift = 0; shift < 64 && *pos < len; shift += 7) {
    unsigned char b = buf[(*pos)++];
    *v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80))
      return 1;
  }
  return 0;
}

/* Walks the framing of a PBF file (4-byte length, BlobHeader, Blob, repeated) before readosm
 * sees it: readosm allocates whatever sizes the file announces, so a corrupted length would
 * make it allocate gigabytes. Refuses sizes beyond the format's limits and blobs that run
 * past the end of the file, naming the blob and its byte offset. */
int osm_check_pbf(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    LC_FAIL(LC_EIO, "%s: cannot open: %s", path, strerror(errno));
  struct stat sb;
  if (fstat(fileno(f), &sb) != 0) {
    fclose(f);
    LC_FAIL(LC_EIO, "%s: cannot stat: %s", path, strerror(errno));
  }
  unsigned char *hdr = malloc(OSM_PBF_MAX_HEADER);
  if (!hdr) {
    fclose(f);
    LC_FAIL(LC_ENOMEM, "%s: out of memory", path);
  }
  int rc = LC_OK;
  long long off = 0, blob = 0;
  for (;;) {
    unsigned char len4[4];
    size_t got = fread(len4, 1, 4, f);
    if (got == 0)
      break;
    blob++;
    if (got < 4) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s: PBF blob %lld at byte %lld: the file ends inside a header length",
                        path, blob, off);
      break;
    }
    uint32_t hl =
        (uint32_t)len4[0] << 24 | (uint32_t)len4[1] << 16 | (uint32_t)len4[2] << 8 | len4[3];
    if (hl == 0 || hl > OSM_PBF_MAX_HEADER) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s: PBF blob %lld at byte %lld: header length %lu outside 1..%d (not an "
                        "OSM PBF file, or a corrupted one)",
                        path, blob, off, (unsigned long)hl, OSM_PBF_MAX_HEADER);
      break;
    }
    if (fread(hdr, 1, hl, f) != hl) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s: PBF blob %lld at byte %lld: the file ends inside the blob header",
                        path, blob, off);
      break;
    }
    /* BlobHeader: 1 type (string), 2 indexdata (bytes), 3 datasize (int32). */
    size_t pos = 0;
    int64_t datasize = -1;
    int ok = 1;
    while (ok && pos < hl) {
      uint64_t key, v;
      ok = osm_pbf_varint(hdr, hl, &pos, &key);
      if (!ok)
        break;
      if ((key & 7) == 0) {
        ok = osm_pbf_varint(hdr, hl, &pos, &v);
        if (ok && (key >> 3) == 3)
          datasize = v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
      } else if ((key & 7) == 2) {
        ok = osm_pbf_varint(hdr, hl, &pos, &v) && v <= hl - pos;
        pos += ok ? (size_t)v : 0;
      } else {
        ok = 0;
      }
    }
    if (!ok || datasize < 0 || datasize > OSM_PBF_MAX_BLOB) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s: PBF blob %lld at byte %lld: malformed blob header or blob size "
                        "outside 0..%d bytes",
                        path, blob, off, OSM_PBF_MAX_BLOB);
      break;
    }
    off += 4 + (long long)hl;
    if (off + datasize > (long long)sb.st_size) {
      rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__,
                        "%s: PBF blob %lld at byte %lld: %lld bytes announced but the file ends "
                        "after %lld (truncated)",
                        path, blob, off, (long long)datasize, (long long)sb.st_size - off);
      break;
    }
    if (fseek(f, (long)datasize, SEEK_CUR) != 0) {
      rc = lc_error_set(LC_EIO, __FILE__, __LINE__, "%s: cannot seek: %s", path, strerror(errno));
      break;
    }
    off += datasize;
  }
  free(hdr);
  fclose(f);
  return rc;
}

/* Bytes read at a time by the XML check. */
#define OSM_XML_CHUNK 65536

/* State of the XML check: the first failure stops the parse. */
struct osm_xml_state {
  const char *path;
  XML_Parser parser;
  int status;
  int seen_root;
  const char *kind; /* "node", "way" or "relation" while inside one, else NULL. */
  char id[32];      /* Its id attribute, for messages. */
};

/* The value of attribute `name`, or NULL. */
static const char *osm_xml_attr(const XML_Char **attr, const char *name) {
  for (int i = 0; attr[i]; i += 2)
    if (!strcmp(attr[i], name))
      return attr[i + 1];
  return NULL;
}

/* Whether s is a whole decimal integer that fits 64 bits. */
static int osm_xml_int(const char *s) {
  if (!*s)
    return 0;
  char *end;
  errno = 0;
  (void)strtoll(s, &end, 10);
  return errno == 0 && *end == '\0';
}

/* Whether s is a whole number as strtod reads it (range and finiteness are checked later,
 * with the node id, by osm_read). */
static int osm_xml_number(const char *s) {
  if (!*s)
    return 0;
  char *end;
  (void)strtod(s, &end);
  return *end == '\0';
}

/* Records the first failure at the parser's current position and stops the parse. */
static void osm_xml_fail(struct osm_xml_state *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void osm_xml_fail(struct osm_xml_state *x, const char *fmt, ...) {
  char text[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  x->status = lc_error_set(LC_EFORMAT, __FILE__, __LINE__, "%s:%lu:%lu: %s", x->path,
                           (unsigned long)XML_GetCurrentLineNumber(x->parser),
                           (unsigned long)XML_GetCurrentColumnNumber(x->parser) + 1, text);
  XML_StopParser(x->parser, XML_FALSE);
}

static void osm_xml_start(void *data, const XML_Char *el, const XML_Char **attr) {
  struct osm_xml_state *x = data;
  if (x->status != LC_OK)
    return;
  if (!x->seen_root) {
    x->seen_root = 1;
    if (strcmp(el, "osm") != 0) {
      osm_xml_fail(x, "the root element is <%.40s>, not <osm> (not an OSM XML file)", el);
      return;
    }
  }
  if (!strcmp(el, "node") || !strcmp(el, "way") || !strcmp(el, "relation")) {
    x->kind = !strcmp(el, "node") ? "node" : !strcmp(el, "way") ? "way" : "relation";
    const char *id = osm_xml_attr(attr, "id");
    if (!id || !osm_xml_int(id)) {
      osm_xml_fail(x, "a %s without a valid 64-bit integer id (id=\"%.40s\")", x->kind,
                   id ? id : "");
      return;
    }
    snprintf(x->id, sizeof x->id, "%s", id);
    if (x->kind[0] == 'n') {
      static const char *const coord[] = {"lat", "lon"};
      for (int k = 0; k < 2; k++) {
        const char *v = osm_xml_attr(attr, coord[k]);
        if (v && !osm_xml_number(v)) {
          osm_xml_fail(x, "node %s: %s=\"%.40s\" is not a number", x->id, coord[k], v);
          return;
        }
      }
    }
    return;
  }
  if (!x->kind)
    return; /* readosm ignores tag, nd and member outside an element. */
  if (!strcmp(el, "tag")) {
    if (!osm_xml_attr(attr, "k") || !osm_xml_attr(attr, "v"))
      osm_xml_fail(x, "%s %s: a <tag> without %s", x->kind, x->id,
                   osm_xml_attr(attr, "k") ? "v=" : "k=");
  } else if (!strcmp(el, "nd") && x->kind[0] == 'w') {
    const char *ref = osm_xml_attr(attr, "ref");
    if (!ref || !osm_xml_int(ref))
      osm_xml_fail(x, "way %s: an <nd> without a valid node ref (ref=\"%.40s\")", x->id,
                   ref ? ref : "");
  } else if (!strcmp(el, "member") && x->kind[0] == 'r') {
    const char *ref = osm_xml_attr(attr, "ref"), *type = osm_xml_attr(attr, "type");
    if (!ref || !osm_xml_int(ref))
      osm_xml_fail(x, "relation %s: a <member> without a valid ref (ref=\"%.40s\")", x->id,
                   ref ? ref : "");
    else if (!type || (strcmp(type, "node") && strcmp(type, "way") && strcmp(type, "relation")))
      osm_xml_fail(x,
                   "relation %s: a <member> whose type is not node, way or relation "
                   "(type=\"%.40s\")",
                   x->id, type ? type : "");
    else if (!osm_xml_attr(attr, "role"))
      osm_xml_fail(x, "relation %s: a <member> without role=", x->id);
  }
}

static void osm_xml_end(void *data, const XML_Char *el) {
  struct osm_xml_state *x = data;
  /* As readosm: the end of any node, way or relation leaves the element. */
  if (!strcmp(el, "node") || !strcmp(el, "way") || !strcmp(el, "relation"))
    x->kind = NULL;
}

int osm_check_xml(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    LC_FAIL(LC_EIO, "%s: cannot open: %s", path, strerror(errno));
  struct osm_xml_state x;
  memset(&x, 0, sizeof x);
  x.path = path;
  x.status = LC_OK;
  x.parser = XML_ParserCreate(NULL);
  if (!x.parser) {
    fclose(f);
    LC_FAIL(LC_ENOMEM, "%s: cannot create an XML parser", path);
  }
  XML_SetUserData(x.parser, &x);
  XML_SetElementHandler(x.parser, osm_xml_start, osm_xml_end);
  int rc = LC_OK, done = 0;
  while (!done && rc == LC_OK) {
    void *buf = XML_GetBuffer(x.parser, OSM_XML_CHUNK);
    if (!buf) {
      rc = lc_error_set(LC_ENOMEM, __FILE__, __LINE__, "%s: out of memory reading XML", path);
      break;
    }
    size_t got = fread(buf, 1, OSM_XML_CHUNK, f);
    if (ferror(f)) {
      rc = lc_error_set(LC_EIO, __FILE__, __LINE__, "%s: read error: %s", path, strerror(errno));
      break;
    }
    done = feof(f) != 0;
    if (XML_ParseBuffer(x.parser, (int)got, done) != XML_STATUS_OK) {
      if (x.status != LC_OK)
        rc = x.status; /* A check failed; its message is recorded. */
      else
        rc = lc_error_set(LC_EFORMAT, __FILE__, __LINE__, "%s:%lu:%lu: not well-formed XML: %s",
                          path, (unsigned long)XML_GetCurrentLineNumber(x.parser),
                          (unsigned long)XML_GetCurrentColumnNumber(x.parser) + 1,
                          XML_ErrorString(XML_GetErrorCode(x.parser)));
    }
  }
  XML_ParserFree(x.parser);
  fclose(f);
  return rc;
}
