/*
 * Unit tests for awsprofile and creds: which credentials are used, from
 * a hand-filled environment and files in a temporary directory (never
 * the real ~/.aws), and what is said when none can be used.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "s3/awsprofile.h"
#include "s3/creds.h"
#include "archivist/error.h"
#include "archivist/msg.h"
#include "util_conf.h"

struct fixture {
	struct aws_env env;
	struct s3_options g;
	struct aws_profile prof;
	struct creds cr;
	char home[300];
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	snprintf(f.home, sizeof(f.home), "%s", utilconf_dir());
	f.env.home = f.home;	/* "~/.aws/..." resolve in here */
	f.env.imds_disabled = "true";	/* never 169.254.169.254 */
	creds_init(&f.cr);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	creds_release(&f->cr);
	aws_profile_release(&f->prof);
	utilconf_cleanup();
	msg_clear_secrets();
	return 0;
}

/* Loads the profile and resolves; returns creds_resolve's code (or the
 * profile loader's) and what was printed in *err. */
static int resolve(struct fixture *f, const char **err)
{
	int rc;

	utilconf_capture_start();
	rc = aws_profile_load(&f->env, f->g.profile, &f->prof);
	if (!rc)
		rc = creds_resolve(&f->g, &f->env, &f->prof, "us-east-1",
				   &f->cr);
	*err = utilconf_capture_stop();
	return rc;
}

static void test_no_sign_request(void **state)
{
	struct fixture *f = *state;
	const char *err;

	f->g.no_sign = 1;
	f->env.access_key_id = "AKID";	/* ignored */
	assert_int_equal(resolve(f, &err), 0);
	assert_true(f->cr.anonymous);
	assert_null(creds_sigv4(&f->cr));
	assert_string_equal(f->cr.source.ptr, "--no-sign-request");
}

static void test_environment(void **state)
{
	struct fixture *f = *state;
	char line[] = "secret is S3CR3T/KEY+x and token T0K3N-abcdefgh";
	const struct sigv4_creds *sc;
	const char *err;

	f->env.access_key_id = "AKIDENV";
	f->env.secret_access_key = "S3CR3T/KEY+x";
	f->env.session_token = "T0K3N-abcdefgh";
	f->env.credentials_file = utilconf_write(3, "credentials",
		"[default]\naws_access_key_id = FILE\n"
		"aws_secret_access_key = FILESECRET\n");
	assert_int_equal(resolve(f, &err), 0);
	sc = creds_sigv4(&f->cr);
	assert_non_null(sc);
	assert_string_equal(sc->access_key, "AKIDENV");
	assert_string_equal(sc->secret_key, "S3CR3T/KEY+x");
	assert_string_equal(sc->session_token, "T0K3N-abcdefgh");
	assert_string_equal(f->cr.source.ptr, "environment");
	msg_redact(line);	/* both secrets registered for redaction */
	assert_string_equal(line, "secret is [redacted] and token [redacted]");
}

static void test_environment_half_pair(void **state)
{
	struct fixture *f = *state;
	const char *err;

	f->env.access_key_id = "AKIDENV";
	assert_int_equal(resolve(f, &err), AV_ECONFIG);
	assert_non_null(strstr(err, "environment sets AWS_ACCESS_KEY_ID but "
			       "not AWS_SECRET_ACCESS_KEY"));
	assert_null(creds_sigv4(&f->cr));
	f->env.access_key_id = "";	/* empty counts as unset */
	f->env.secret_access_key = "SECRET";
	aws_profile_release(&f->prof);
	assert_int_equal(resolve(f, &err), AV_ECONFIG);
	assert_non_null(strstr(err, "sets AWS_SECRET_ACCESS_KEY but not "
			       "AWS_ACCESS_KEY_ID"));
}

static void test_credentials_file_default(void **state)
{
	struct fixture *f = *state;
	const char *err;

	f->env.access_key_id = "";
	f->env.credentials_file = "~/creds";
	utilconf_write(1, "creds", "[other]\naws_access_key_id = O\n"
		       "aws_secret_access_key = OS\n[default]\n"
		       "aws_access_key_id = AKIDFILE\n"
		       "aws_secret_access_key = FILESECRET\n");
	assert_int_equal(resolve(f, &err), 0);
	assert_string_equal(f->cr.access_key, "AKIDFILE");
	assert_string_equal(f->cr.secret_key, "FILESECRET");
	assert_null(f->cr.session_token);
	assert_non_null(strstr(f->cr.source.ptr, "profile 'default' in "));
	assert_non_null(strstr(f->cr.source.ptr, "/creds"));
	assert_null(strstr(f->cr.source.ptr, "~"));	/* expanded */
}

static void test_profile_in_config_file(void **state)
{
	struct fixture *f = *state;
	const char *err;

	f->env.profile = "dev";
	f->env.config_file = utilconf_write(0, "config",
		"[default]\nregion = x\n[profile dev]\n"
		"aws_access_key_id = AKIDDEV\n"
		"aws_secret_access_key = DEVSECRET\n"
		"aws_session_token = DEVTOKEN\n");
	assert_int_equal(resolve(f, &err), 0);
	assert_string_equal(f->cr.access_key, "AKIDDEV");
	assert_string_equal(f->cr.session_token, "DEVTOKEN");
	assert_string_equal(f->prof.config_section, "profile dev");
	assert_string_equal(f->prof.name_from, "AWS_PROFILE");
}

/* --profile wins over the environment's keys (the AWS CLI's rule);
 * the credentials file wins over the config file. */
static void test_explicit_profile_beats_environment(void **state)
{
	struct fixture *f = *state;
	const char *err;

	f->g.profile = "ci";
	f->env.access_key_id = "AKIDENV";
	f->env.secret_access_key = "ENVSECRET";
	f->env.credentials_file = utilconf_write(0, "c",
		"[ci]\naws_access_key_id = AKIDCI\n"
		"aws_secret_access_key = CISECRET\n");
	f->env.config_file = utilconf_write(1, "k",
		"[profile ci]\naws_access_key_id = AKIDCONF\n"
		"aws_secret_access_key = CONFSECRET\n");
	assert_int_equal(resolve(f, &err), 0);
	assert_string_equal(f->cr.access_key, "AKIDCI");
}

static void test_half_pair_in_file(void **state)
{
	struct fixture *f = *state;
	const char *err;

	f->env.credentials_file = utilconf_write(0, "c",
		"[default]\naws_secret_access_key = ONLYSECRET\n");
	assert_int_equal(resolve(f, &err), AV_ECONFIG);
	assert_non_null(strstr(err, "profile 'default' in "));
	assert_non_null(strstr(err, "sets aws_secret_access_key but not "
			       "aws_access_key_id"));
	assert_null(strstr(err, "ONLYSECRET"));
}

static void test_nothing_found(void **state)
{
	struct fixture *f = *state;
	const char *err;

	assert_int_equal(resolve(f, &err), AV_ECONFIG);
	assert_non_null(strstr(err, "no credentials found: AWS_ACCESS_KEY_ID "
			       "and AWS_SECRET_ACCESS_KEY are not set"));
	assert_non_null(strstr(err, "profile 'default' is in neither of "));
	assert_non_null(strstr(err, "/.aws/credentials (absent) or "));
	assert_non_null(strstr(err, "/.aws/config (absent)"));
	assert_non_null(strstr(err, f->home));
	assert_non_null(strstr(err, "--no-sign-request"));
}

static void test_profile_without_keys(void **state)
{
	struct fixture *f = *state;
	const char *err;

	f->env.config_file = utilconf_write(0, "config",
					    "[default]\nregion = eu-west-3\n");
	assert_int_equal(resolve(f, &err), AV_ECONFIG);
	assert_non_null(strstr(err, "profile 'default' has no "
			       "aws_access_key_id in either of "));
}

static void test_explicit_profile_absent(void **state)
{
	struct fixture *f = *state;
	const char *err;

	f->g.profile = "nope";
	f->env.config_file = utilconf_write(0, "config", "[profile x]\n");
	assert_int_equal(resolve(f, &err), AV_ECONFIG);
	assert_non_null(strstr(err, "profile 'nope' (from --profile) not "
			       "found in "));
	assert_non_null(strstr(err, "/.aws/credentials (absent) or "));
	assert_non_null(strstr(err, "/config\n"));
}

static void test_unsupported_provider(void **state)
{
	struct fixture *f = *state;
	const char *err;

	f->env.config_file = utilconf_write(0, "config", "[default]\n"
		"role_arn = arn:aws:iam::123456789012:role/x\n"
		"source_profile = base\n");
	assert_int_equal(resolve(f, &err), AV_ECONFIG);
	assert_non_null(strstr(err, "source_profile 'base' does not exist"));
}

static void test_malformed_file(void **state)
{
	struct fixture *f = *state;
	const char *err;

	f->env.credentials_file = utilconf_write(0, "c", "[default\n");
	assert_int_equal(resolve(f, &err), AV_ECONFIG);
	assert_non_null(strstr(err, "/c:1: section header without ']'"));
}

static void test_bad_access_key(void **state)
{
	struct fixture *f = *state;
	const char *err;

	f->env.access_key_id = "AK/ID";
	f->env.secret_access_key = "S";
	assert_int_equal(resolve(f, &err), AV_ECONFIG);
	assert_non_null(strstr(err, "cannot be sent"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_no_sign_request),
		T(test_environment),
		T(test_environment_half_pair),
		T(test_credentials_file_default),
		T(test_profile_in_config_file),
		T(test_explicit_profile_beats_environment),
		T(test_half_pair_in_file),
		T(test_nothing_found),
		T(test_profile_without_keys),
		T(test_explicit_profile_absent),
		T(test_unsupported_provider),
		T(test_malformed_file),
		T(test_bad_access_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
