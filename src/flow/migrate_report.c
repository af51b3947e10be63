/* migrate_report: the plan, results and summary of a migration. */
#include <inttypes.h>
#include <stdio.h>

#include "archivist/jsonout.h"
#include "migrate_report.h"
#include "archivist/msg.h"

static const char *outcome_name(enum migration_outcome o)
{
	switch (o) {
	case MO_PLANNED: return "planned";
	case MO_CREATED: return "created";
	case MO_IDENTICAL: return "identical";
	case MO_CONFLICT: return "conflict";
	case MO_BAD_SOURCE: return "invalid";
	case MO_FAILED: return "failed";
	}
	return "?";
}

void report_plan(const struct migration *m)
{
	const struct plan_item *it;
	size_t i, n[PLAN_NACTIONS] = { 0 };

	for (i = 0; i < m->plan.n; i++) {
		it = &m->plan.items[i];
		n[it->action]++;
		if (m->s->json) {
			jsonout_line(json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:I}",
				"event", "plan", "action", plan_action_name(it->action),
				"source", it->legacy_key, "destination", it->new_key,
				"reason", it->reason, "source_size",
				(json_int_t)it->legacy_size));
			continue;
		}
		printf("%-9s %s -> %s", plan_action_name(it->action),
		       it->legacy_key, it->new_key ? it->new_key : "-");
		if (it->action != PLAN_CREATE && it->reason)
			printf("  (%s)", it->reason);
		putchar('\n');
	}
	if (!m->s->json)
		printf("plan: %zu archive(s): %zu create, %zu skip, %zu conflict, "
		       "%zu invalid, %zu present; %zu other key(s) ignored\n", m->plan.n,
		       n[PLAN_CREATE], n[PLAN_SKIP], n[PLAN_CONFLICT], n[PLAN_INVALID],
		       n[PLAN_PRESENT], m->plan.ignored);
	if (!m->s->json && m->plan.retired)
		printf("plan: %zu legacy archive(s) of retired stacks left out "
		       "(name a stack with --stack to migrate its archives)\n",
		       m->plan.retired);
	fflush(stdout);
}

void report_outcome(const struct migration *m, size_t i)
{
	const struct plan_item *it = &m->plan.items[i];
	const struct migration_item *mi = &m->items[i];
	char in[16], out[16];
	int made = mi->outcome == MO_CREATED || mi->outcome == MO_IDENTICAL;

	if (m->s->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "event", "result",
				      "result", outcome_name(mi->outcome),
				      "source", it->legacy_key,
				      "destination", it->new_key);
		if (o && made) {
			json_object_set_new(o, "size", json_integer((json_int_t)mi->st.out_bytes));
			json_object_set_new(o, "sha256", json_string(mi->st.sha256_hex));
			json_object_set_new(o, "stats", pipeline_stats_json(&mi->st));
		}
		jsonout_line(o);
		return;
	}
	if (!made) {
		printf("%-9s %s\n", outcome_name(mi->outcome), it->new_key);
	} else {
		progress_human(in, mi->st.in_bytes);
		progress_human(out, mi->st.out_bytes);
		printf("%-9s %s  %s -> %s, sha256 %s\n", outcome_name(mi->outcome),
		       it->new_key, in, out, mi->st.sha256_hex);
	}
	fflush(stdout);
}

struct totals {
	size_t created, skipped, present, conflicts, invalid, failed;
	uint64_t before, after;
};

static void count(const struct migration *m, struct totals *t)
{
	const struct plan_item *it;
	const struct migration_item *mi;
	size_t i;

	for (i = 0; i < m->plan.n; i++) {
		it = &m->plan.items[i];
		mi = &m->items[i];
		if (it->action == PLAN_SKIP)
			t->skipped++;
		else if (it->action == PLAN_PRESENT)
			t->present++;
		else if (it->action == PLAN_CONFLICT)
			t->conflicts++;
		else if (it->action == PLAN_INVALID)
			t->invalid++;
		else if (mi->outcome == MO_CREATED || mi->outcome == MO_IDENTICAL) {
			mi->outcome == MO_CREATED ? t->created++ : t->skipped++;
			t->before += mi->st.in_bytes;
			t->after += mi->st.out_bytes;
		} else if (mi->outcome == MO_CONFLICT)
			t->conflicts++;
		else if (mi->outcome == MO_BAD_SOURCE)
			t->invalid++;
		else if (mi->outcome == MO_FAILED)
			t->failed++;
	}
}

enum flow_result report_summary(const struct migration *m)
{
	struct totals t = { 0 };
	char b[16], a[16];

	count(m, &t);
	if (m->s->json) {
		jsonout_line(json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"event", "summary", "dry_run", m->o->dry_run,
			"retired_left", (json_int_t)m->plan.retired,
			"created", (json_int_t)t.created, "skipped", (json_int_t)t.skipped,
			"present", (json_int_t)t.present,
			"conflicts", (json_int_t)t.conflicts, "invalid", (json_int_t)t.invalid,
			"failed", (json_int_t)t.failed, "bytes_before", (json_int_t)t.before,
			"bytes_after", (json_int_t)t.after));
	} else if (!m->o->dry_run) {
		progress_human(b, t.before);
		progress_human(a, t.after);
		printf("done: %zu created, %zu skipped, %zu conflict(s), %zu invalid, "
		       "%zu failed, %zu present; %s -> %s\n", t.created, t.skipped,
		       t.conflicts, t.invalid, t.failed, t.present, b, a);
	}
	fflush(stdout);
	if (t.failed || t.invalid)
		return FLOW_FAILED;
	return t.conflicts ? FLOW_CONFLICT : FLOW_DONE;
}
