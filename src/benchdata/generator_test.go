package benchdata

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestEvents_SameSeedSameEvents(t *testing.T) {
	a, b := Events(800, 7), Events(800, 7)
	for i := range a {
		if a[i].Raw != b[i].Raw || !reflect.DeepEqual(a[i].values, b[i].values) || a[i].TimeMs != b[i].TimeMs || a[i].Stream != b[i].Stream {
			t.Fatalf("event %d differs between two generators of seed 7:\n%s\n%s", i, a[i].Raw, b[i].Raw)
		}
	}
	g := NewGenerator(7)
	var e Event
	for i := range a {
		g.Next(&e)
		if e.Raw != a[i].Raw {
			t.Fatalf("Next's event %d differs from Events'", i)
		}
	}
	c := Events(800, 8)
	same := 0
	for i := range a {
		if a[i].Raw == c[i].Raw {
			same++
		}
	}
	if same > 0 {
		t.Errorf("seeds 7 and 8 share %d of 800 events", same)
	}
}

// flattenJSON is Splunk's JSON extraction written independently of the
// generator: nested keys joined with ".", array elements under "{}", every
// value of a repeated name kept in order.
func flattenJSON(path string, v any, out map[string][]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			p := k
			if path != "" {
				p = path + "." + k
			}
			flattenJSON(p, child, out)
		}
	case []any:
		for _, child := range x {
			flattenJSON(path+"{}", child, out)
		}
	case string:
		out[path] = append(out[path], x)
	case json.Number:
		out[path] = append(out[path], x.String())
	case bool:
		out[path] = append(out[path], strconv.FormatBool(x))
	case nil:
		out[path] = append(out[path], "null")
	}
}

// TestEvents_FieldsAreTheRawsExtraction checks every extracted field
// against _raw decoded by encoding/json, and that the field list misses
// nothing outside the request and response objects.
func TestEvents_FieldsAreTheRawsExtraction(t *testing.T) {
	for i, e := range Events(3000, 1) {
		dec := json.NewDecoder(strings.NewReader(e.Raw))
		dec.UseNumber()
		var ev map[string]any
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("event %d: _raw is not JSON: %v\n%s", i, err, e.Raw)
		}
		delete(ev, "requestObject")
		delete(ev, "responseObject")
		got := map[string][]string{}
		flattenJSON("", ev, got)
		for name, vals := range got {
			f, ok := extracted[name]
			if !ok {
				t.Fatalf("event %d: _raw has %s, which is not in the field list", i, name)
			}
			if vals = slices.DeleteFunc(vals, func(v string) bool { return v == "" }); !slices.Equal(vals, e.Values(f)) {
				t.Fatalf("event %d: %s is %q, _raw says %q", i, name, e.Values(f), vals)
			}
		}
		for f := FirstExtracted; f <= LastExtracted; f++ {
			if _, ok := got[f.Name()]; !ok && len(e.Values(f)) > 0 {
				t.Fatalf("event %d: %s is %q but absent from _raw", i, f.Name(), e.Values(f))
			}
		}
		want := map[Field][]string{
			FieldTime:   {fmt.Sprintf("%d.%03d", e.TimeMs/1000, e.TimeMs%1000)},
			FieldRaw:    {e.Raw},
			FieldSource: {Region + ":" + LogGroup + ":" + e.Stream},
			FieldSI:     {SplunkServer, Index},
			FieldSerial: {strconv.Itoa(i)},
		}
		for f, w := range want {
			if !slices.Equal(e.Values(f), w) {
				t.Fatalf("event %d: %s is %q, want %q", i, f.Name(), e.Values(f), w)
			}
		}
		change := slices.Contains(e.Values(FieldEventtype), "kubelens_k8s_audit_change")
		write := slices.Contains([]string{"create", "update", "patch", "delete", "deletecollection"}, e.Values(FieldVerb)[0])
		if change != (write && e.Values(FieldStage)[0] == "ResponseComplete") {
			t.Fatalf("event %d: eventtype %q for a %s at %s (default/eventtypes.conf)", i, e.Values(FieldEventtype), e.Values(FieldVerb)[0], e.Values(FieldStage)[0])
		}
	}
}

// TestEvents_NewestFirst: a search returns events newest first, and _time
// follows stageTimestamp.
func TestEvents_NewestFirst(t *testing.T) {
	evs := Events(2000, 3)
	for i := 1; i < len(evs); i++ {
		if evs[i].TimeMs > evs[i-1].TimeMs {
			t.Fatalf("event %d (%d) is newer than event %d (%d)", i, evs[i].TimeMs, i-1, evs[i-1].TimeMs)
		}
		if ts := evs[i].Values(FieldStageTimestamp)[0]; !strings.HasPrefix(ts, micro(latest)[:11]) {
			t.Fatalf("event %d: stageTimestamp %s", i, ts)
		}
	}
}

// TestAppendBody_SplunkdStyle checks the CSV of handmade events: quoting
// of names and values, multivalue cells, columns only for fields some
// event has.
func TestAppendBody_SplunkdStyle(t *testing.T) {
	var a, b Event
	a.values[FieldTime] = []string{"1795168800.123"}
	a.values[FieldIndex] = []string{"eks"}
	a.values[FieldRaw] = []string{`{"a":"b, c"}`}
	a.values[FieldSI] = []string{"idx1", "eks"}
	a.values[FieldGroups] = []string{"system:masters", "pay$day"}
	b.values[FieldTime] = []string{"1795168799.001"}
	b.values[FieldIndex] = []string{"eks"}
	b.values[FieldSerial] = []string{"1"}
	got := string(AppendBody(nil, []Event{a, b}, Full))
	want := `"_time",index,"_raw","_si","user.groups{}","_serial","__mv__time","__mv_index","__mv__raw","__mv__si","__mv_user.groups{}","__mv__serial"` + "\n" +
		`"1795168800.123",eks,"{""a"":""b, c""}","idx1` + "\n" + `eks","system:masters` + "\n" + `pay$day",,,,,"$idx1$;$eks$","$system:masters$;$pay$$day$",` + "\n" +
		`"1795168799.001",eks,,,,1,,,,,,` + "\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := string(AppendBody(nil, []Event{a, b}, RawOnly)); !strings.HasPrefix(got, `"_time","_raw","__mv__time","__mv__raw"`+"\n") {
		t.Errorf("raw-only header: %q", got)
	}
	if got := AppendBody(nil, nil, Full); len(got) != 0 {
		t.Errorf("no events: %q", got)
	}
}
