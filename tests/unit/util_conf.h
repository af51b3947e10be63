/*
 * util_conf: helpers for the configuration tests (awsconfig, creds,
 * endpoint): a private temporary directory with files written into it,
 * and a capture of what the code under test prints on stderr.
 */
#ifndef ARCHIVIST_TEST_UTIL_CONF_H
#define ARCHIVIST_TEST_UTIL_CONF_H

/* Creates a fresh temporary directory; returns its path (static). */
const char *utilconf_dir(void);
/* Writes text to DIR/name and returns the full path (static per slot:
 * slot 0..3, so a few paths can be held at once). */
const char *utilconf_write(int slot, const char *name, const char *text);
/* Removes the directory and everything in it. */
void utilconf_cleanup(void);

/* Starts capturing stderr (fd 2) into a temporary file. */
void utilconf_capture_start(void);
/* Stops capturing; returns what was written (static, NUL-terminated). */
const char *utilconf_capture_stop(void);

#endif
