/*
 * release: the version of archivist itself, for --version and for the
 * provenance every object it makes records (provenance.h).  Not to be
 * confused with version.h, the versions of the runtimes it handles.
 */
#ifndef ARCHIVIST_RELEASE_H
#define ARCHIVIST_RELEASE_H

#define ARCHIVIST_VERSION "0.1.0"

#endif
