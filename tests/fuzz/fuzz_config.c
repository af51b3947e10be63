/*
 * libFuzzer target: configuration loading and key parsing.
 *
 * Input: CONFIG_JSON [ NUL KEY ].  The configuration is loaded from the
 * bytes before the first NUL (the built-in one is used when they do not
 * load); KEY is parsed as a legacy and as a new key, and every key that
 * parses must render back to exactly itself (no guessing).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "archivist/buf.h"
#include "archivist/config.h"
#include "archivist/naming.h"
#include "archivist/version.h"

static void check_key(const struct config *c, const char *key)
{
	struct naming_legacy l;
	struct naming_artifact a;
	struct buf again = BUF_INIT;
	struct version v;

	(void)version_parse(key, &v, NULL);
	if (naming_parse_legacy(c, key, &l, NULL) == 0) {
		if (naming_legacy_key(c, l.version, l.stack, l.arch_name, &again, NULL) != 0 ||
		    strcmp(again.ptr, key) != 0)
			abort();
	}
	naming_legacy_release(&l);
	buf_reset(&again);
	if (naming_parse_new(c, key, &a, NULL) == 0) {
		if (naming_new_key(c, a.version, a.distro_name, a.distro_version,
				   a.target.arch, &again, NULL) != 0 ||
		    strcmp(again.ptr, key) != 0)
			abort();
	}
	naming_artifact_release(&a);
	buf_release(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t n = nul ? (size_t)(nul - data) : size;
	struct buf err = BUF_INIT, key = BUF_INIT;
	struct config *c = NULL, *builtin = NULL;

	if (config_load_bytes((const char *)data, n, "fuzz", &c, &err) != 0 &&
	    config_load(NULL, &builtin, &err) != 0)
		abort();	/* the built-in configuration must always load */
	if (nul && buf_add(&key, nul + 1, size - n - 1) == 0)
		check_key(c ? c : builtin, key.ptr);
	config_free(c);
	config_free(builtin);
	buf_release(&err);
	buf_release(&key);
	return 0;
}
