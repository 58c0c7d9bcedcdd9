package enrich_test

import (
	"encoding/json"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/enrich"
	"github.com/kubelens/kubelens/src/lookups"
)

// rec is a Record built from a map of Splunk fields.
type rec map[string][]string

func (r rec) Value(in enrich.Input) string {
	if v := r[enrich.InputNames[in]]; len(v) > 0 {
		return strings.Join(v, "\n")
	}
	return ""
}
func (r rec) Values(in enrich.Input) []string { return r[enrich.InputNames[in]] }

// shippedTables are the app's default lookups.
func shippedTables(t testing.TB) enrich.Tables {
	t.Helper()
	tb, _, err := lookups.Load(filepath.Join("..", "..", "lookups"))
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// obj is a JSON object under construction.
type obj = map[string]any

// baseEvent is an ordinary, harmless request: a service account listing
// config maps from inside the cluster, allowed, complete.
func baseEvent() obj {
	return obj{
		"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
		"auditID": "11111111-2222-4333-8444-555555555555", "stage": "ResponseComplete",
		"requestURI": "/api/v1/namespaces/shop/configmaps?limit=500", "verb": "list",
		"user":                     obj{"username": "system:serviceaccount:shop:app", "groups": []string{"system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"}, "extra": obj{"authentication.kubernetes.io/pod-name": []string{"app-1"}}},
		"sourceIPs":                []string{"10.0.1.5"},
		"userAgent":                "app/v1.2.3 (linux/amd64) kubernetes/abcdef0",
		"objectRef":                obj{"resource": "configmaps", "namespace": "shop", "apiVersion": "v1"},
		"responseStatus":           obj{"metadata": obj{}, "code": 200},
		"requestReceivedTimestamp": "2026-11-20T09:00:00.000000Z",
		"stageTimestamp":           "2026-11-20T09:00:00.002500Z",
		"annotations":              obj{"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": `RBAC: allowed by RoleBinding "app/shop" of Role "app" to ServiceAccount "app/shop"`},
	}
}

// with returns a copy of base changed by each edit: a key of the form
// "a>b" sets a nested member, a nil value deletes it.
func with(base obj, edits obj) obj {
	out := deepCopy(base)
	for k, v := range edits {
		parts := strings.Split(k, ">")
		m := out
		for _, p := range parts[:len(parts)-1] {
			next, ok := m[p].(obj)
			if !ok {
				next = obj{}
				m[p] = next
			}
			m = next
		}
		if v == nil {
			delete(m, parts[len(parts)-1])
		} else {
			m[parts[len(parts)-1]] = v
		}
	}
	return out
}

func deepCopy(m obj) obj {
	out := maps.Clone(m)
	for k, v := range out {
		if sub, ok := v.(obj); ok {
			out[k] = deepCopy(sub)
		}
	}
	return out
}

func rawRec(t testing.TB, ev obj, source ...string) rec {
	t.Helper()
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	r := rec{"_raw": {string(b)}}
	if len(source) > 0 {
		r["source"] = source
	}
	return r
}

// enrichWith enriches one record with the given tables.
func enrichWith(t testing.TB, tables enrich.Tables, r rec) (*enrich.Output, *enrich.Problem) {
	t.Helper()
	var out enrich.Output
	prob := enrich.New(tables).NewWorker().Enrich(r, &out)
	return &out, prob
}

// field returns a field's values joined with ",".
func field(out *enrich.Output, name string) string {
	f, ok := enrich.FieldByName(name)
	if !ok {
		panic("no field " + name)
	}
	return strings.Join(out.Get(f.ID), ",")
}
