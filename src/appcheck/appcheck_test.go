package appcheck

import "testing"

func TestSpecRules(t *testing.T) {
	rules, ok := specRules("props")
	if !ok {
		t.Fatal("no props rules")
	}
	for key, want := range map[string]bool{"EVAL-src": true, "LOOKUP-x": true, "KV_MODE": true, "EVAL-": false, "KV_MOD": false} {
		if got := allowed(rules, "aws:cloudwatchlogs:eks", key); got != want {
			t.Errorf("props %s allowed = %v, want %v", key, got, want)
		}
	}
	app, _ := specRules("app")
	if !allowed(app, "launcher", "version") || allowed(app, "ui", "version") {
		t.Error("app.conf rules must be per stanza")
	}
	if _, ok := specRules("nosuch"); ok {
		t.Error("rules for an unknown conf")
	}
}

func TestFinish_Waivers(t *testing.T) {
	r := finish([]Finding{{Check: CheckSecrets, Msg: "x"}, {Check: CheckLookups, Msg: "y"}}, Options{Waive: []string{CheckLookups, CheckReadme}})
	if len(r.Waived) != 1 || r.Waived[0].Check != CheckLookups {
		t.Errorf("waived = %v", r.Waived)
	}
	var checks []string
	for _, f := range r.Findings {
		checks = append(checks, f.Check)
	}
	if len(checks) != 2 || checks[0] != CheckSecrets || checks[1] != CheckReadme {
		t.Errorf("findings = %v: want the secrets finding and the stale readme waiver", r.Findings)
	}
}
