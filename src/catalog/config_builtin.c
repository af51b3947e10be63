/*
 * The built-in configuration: config/heroku-python.json embedded as bytes
 * (plus a NUL), so the binary works with no file beside it.  The Makefile
 * makes this object depend on the JSON file; the path is relative to the
 * top of the tree, where the build runs.
 */
#include "archivist/config.h"

__asm__(
	"\t.section .rodata\n"
	"\t.global config_builtin_json\n"
	"\t.type config_builtin_json, @object\n"
	"config_builtin_json:\n"
	"\t.incbin \"config/heroku-python.json\"\n"
	"\t.byte 0\n"
	"\t.size config_builtin_json, . - config_builtin_json\n"
	"\t.previous\n");
