package chunked_test

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/kubelens/kubelens/src/chunked"
)

// splunkdBody is an execute body in splunkd's style: everything that is not
// purely alphanumeric quoted, plain columns first, then every __mv_ column,
// LF line ends, a multivalue field, a "\r\n" and a quote inside values.
const splunkdBody = `"_time",index,"_raw","sourceIPs{}","user.groups{}","__mv__time","__mv_index","__mv__raw","__mv_sourceIPs{}","__mv_user.groups{}"` + "\n" +
	`"1700000000.123",main,"{""a"":""x,y""}","10.0.0.1",` + "\"system:authenticated\nsystem:masters\"" + `,,,,,"$system:authenticated$;$system:masters$"` + "\n" +
	`1700000001,main,"line1` + "\r\n" + `line2","203.0.113.7` + "\n" + `10.0.0.2","",,,,"$203.0.113.7$;$10.0.0.2$",` + "\n"

// TestDecodeTable_SplunkdBody verifies fields, values and multivalues of a
// body written the way splunkd writes it.
func TestDecodeTable_SplunkdBody(t *testing.T) {
	tb, err := chunked.DecodeTable([]byte(splunkdBody))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tb.Len(), 2; got != want {
		t.Fatalf("Len() = %d, want %d", got, want)
	}
	if got, want := tb.Fields(), []string{"_time", "index", "_raw", "sourceIPs{}", "user.groups{}"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Fields() = %q, want %q", got, want)
	}
	r0, r1 := tb.Record(0), tb.Record(1)
	checks := []struct {
		got  any
		want any
	}{
		{r0.Value("_raw"), `{"a":"x,y"}`},
		{r0.Values("user.groups{}"), []string{"system:authenticated", "system:masters"}},
		{r0.Values("sourceIPs{}"), []string{"10.0.0.1"}},
		{r1.Value("_raw"), "line1\r\nline2"},
		{r1.Values("sourceIPs{}"), []string{"203.0.113.7", "10.0.0.2"}},
		{r1.Values("user.groups{}"), []string(nil)},
		{r1.Values("absent"), []string(nil)},
		{r1.Value("_time"), "1700000001"},
	}
	for i, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("check %d: got %q, want %q", i, c.got, c.want)
		}
	}
}

// TestTable_RoundTripKeepsEveryValue verifies that decoding and encoding
// gives back every column with identical values, the quoting aside.
func TestTable_RoundTripKeepsEveryValue(t *testing.T) {
	in, err := chunked.DecodeTable([]byte(splunkdBody))
	if err != nil {
		t.Fatal(err)
	}
	out, err := chunked.DecodeTable(in.AppendCSV(nil))
	if err != nil {
		t.Fatal(err)
	}
	assertSameCells(t, in, out)
}

func assertSameCells(t *testing.T, a, b *chunked.Table) {
	t.Helper()
	if !reflect.DeepEqual(a.Columns(), b.Columns()) {
		t.Fatalf("columns %q != %q", a.Columns(), b.Columns())
	}
	if a.Len() != b.Len() {
		t.Fatalf("rows %d != %d", a.Len(), b.Len())
	}
	for r := 0; r < a.Len(); r++ {
		for _, c := range a.Columns() {
			if x, y := a.Cell(r, c), b.Cell(r, c); x != y {
				t.Errorf("row %d column %q: %q != %q", r, c, x, y)
			}
		}
	}
}

// TestTable_SetAddsColumnsAndKeepsOrder verifies that new fields are added
// after the input columns in the order they were first set, that a
// multivalue gets its __mv_ column, and that an existing field is rewritten
// in place.
func TestTable_SetAddsColumnsAndKeepsOrder(t *testing.T) {
	tb, err := chunked.DecodeTable([]byte("\"_raw\",src_ip,\"_chunked_idx\"\nr0,,0\nr1,198.51.100.1,1\n"))
	if err != nil {
		t.Fatal(err)
	}
	tb.Record(0).Set("k8s_user_kind", "anonymous")
	tb.Record(1).Set("k8s_detections", "A $1", "B")
	tb.Record(0).Set("src_ip", "192.0.2.1")
	tb.Record(0).Set("k8s_other", "one")
	got := string(tb.AppendCSV(nil))
	want := "\"_raw\",src_ip,\"_chunked_idx\",k8s_user_kind,k8s_detections,__mv_k8s_detections,k8s_other\n" +
		"r0,192.0.2.1,0,anonymous,,,one\n" +
		"r1,198.51.100.1,1,,\"A $1\nB\",$A $$1$;$B$,\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	back, err := chunked.DecodeTable([]byte(got))
	if err != nil {
		t.Fatal(err)
	}
	if v := back.Record(1).Values("k8s_detections"); !reflect.DeepEqual(v, []string{"A $1", "B"}) {
		t.Errorf("multivalue read back as %q", v)
	}
}

// TestTable_AddedColumnsEmptyEverywhereDropped verifies that the reply
// writes the added columns up to the last one some row has a value in:
// trailing columns empty in every row are left out, those between are
// kept, and a row written whole keeps them all.
func TestTable_AddedColumnsEmptyEverywhereDropped(t *testing.T) {
	tb := chunked.NewTable([]string{"_raw"})
	tb.AppendRow("r0")
	tb.Record(0).Set("k8s_detections", "A", "B")
	tb.Record(0).Set("k8s_detections", "A") // __mv_k8s_detections emptied again
	if got, want := string(tb.AppendCSV(nil)), "_raw,k8s_detections\nr0,A\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// Blank rows of a one-column table, nothing added: they come back as
	// the one-column table they are.
	blank, err := chunked.DecodeTable([]byte("_raw\n\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	w := blank.RowWriter()
	for _, name := range []string{"a", "b"} {
		ref := blank.Prepare(name, true)
		w.SetValues(0, ref, nil)
	}
	w.Done()
	if got, want := string(blank.AppendCSV(nil)), "_raw\n\"\"\n\"\"\n"; got != want {
		t.Errorf("blank rows: got %q, want %q", got, want)
	}
	// An empty column before one with a value is written.
	tb = chunked.NewTable([]string{"_raw"})
	tb.AppendRow("r0")
	tb.AppendRow("r1")
	tb.Record(0).Set("a", "x")
	tb.Record(1).Set("c", "z")
	tb.Record(0).Set("d", "")
	if got, want := string(tb.AppendCSV(nil)), "_raw,a,c\nr0,x,\nr1,,z\n"; got != want {
		t.Errorf("middle column: got %q, want %q", got, want)
	}
	// A row whose input cell changed is written whole, every column.
	tb = chunked.NewTable([]string{"_raw", "user"})
	tb.AppendRow("r0", "")
	tb.Record(0).Set("user", "bob")
	tb.Record(0).Set("e", "")
	if got, want := string(tb.AppendCSV(nil)), "_raw,user,e\nr0,bob,\n"; got != want {
		t.Errorf("whole row: got %q, want %q", got, want)
	}
}

// TestTable_SetExistingMultivalueField verifies that setting a field the
// input carries, with its __mv_ column, rewrites both cells.
func TestTable_SetExistingMultivalueField(t *testing.T) {
	tb, err := chunked.DecodeTable([]byte("f,__mv_f\n\"a\nb\",$a$;$b$\n"))
	if err != nil {
		t.Fatal(err)
	}
	tb.Record(0).Set("f", "c")
	if got, want := string(tb.AppendCSV(nil)), "f,__mv_f\nc,\n"; got != want {
		t.Errorf("single value: got %q, want %q", got, want)
	}
	tb.Record(0).Set("f", "x", "y", "z")
	if got, want := string(tb.AppendCSV(nil)), "f,__mv_f\n\"x\ny\nz\",$x$;$y$;$z$\n"; got != want {
		t.Errorf("three values: got %q, want %q", got, want)
	}
}

// TestDecodeTable_Shapes covers bodies splunkd really sends: empty,
// header-only, one record, one column with empty values, CRLF line ends.
func TestDecodeTable_Shapes(t *testing.T) {
	cases := []struct {
		name   string
		body   string
		fields int
		rows   int
	}{
		{"empty", "", 0, 0},
		{"header only", "\"_time\",\"_raw\",\"__mv__time\",\"__mv__raw\"\n", 2, 0},
		{"header only without line end", "a,b", 2, 0},
		{"one record", "a,b\n1,2\n", 2, 1},
		{"no final line end", "a,b\n1,2", 2, 1},
		{"crlf", "a,b\r\n1,2\r\n3,\r\n", 2, 2},
		{"one column with empty values", "a\n\"\"\n\nx\n", 1, 3},
		{"trailing comma at end of body", "a,b\n1,", 2, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tb, err := chunked.DecodeTable([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if len(tb.Fields()) != tc.fields || tb.Len() != tc.rows {
				t.Errorf("fields %d rows %d, want %d and %d", len(tb.Fields()), tb.Len(), tc.fields, tc.rows)
			}
			back, err := chunked.DecodeTable(tb.AppendCSV(nil))
			if err != nil {
				t.Fatal(err)
			}
			if tb.Len() > 0 {
				assertSameCells(t, tb, back)
			}
		})
	}
}

// TestDecodeTable_BadBodies verifies that a malformed body is a clear
// protocol error.
func TestDecodeTable_BadBodies(t *testing.T) {
	cases := map[string]string{
		"a,b\n1,2,3\n":    "csv record 1 has 3 fields, the header has 2",
		"a,b\n1,2\n3\n":   "csv record 2 has 1 fields, the header has 2",
		"a,b\n1,x\"y\n":   "bare \" in an unquoted field",
		"a,b\n1,\"xy\n":   "quoted field not closed",
		"a,b\n1,\"x\"y\n": "unexpected 'y' after a closing quote",
	}
	for body, want := range cases {
		_, err := chunked.DecodeTable([]byte(body))
		if err == nil || !strings.Contains(err.Error(), want) || !chunked.IsProtocolError(err) {
			t.Errorf("DecodeTable(%q) = %v, want a protocol error containing %q", body, err, want)
		}
	}
}

// TestMultivalueEncoding verifies splunkd's $v$;$v$ encoding with "$$" for
// a literal "$", in both directions.
func TestMultivalueEncoding(t *testing.T) {
	cases := []struct {
		vals []string
		enc  string
	}{
		{[]string{"a", "b"}, "$a$;$b$"},
		{[]string{"FIREFLY-WIN", "beatles"}, "$FIREFLY-WIN$;$beatles$"},
		{[]string{"a$", "b"}, "$a$$$;$b$"},
		{[]string{"$"}, "$$$$"},
		{[]string{"", ""}, "$$;$$"},
		{[]string{"$;$", "x"}, "$$$;$$$;$x$"},
		{[]string{"ทt", "😀 $5"}, "$ทt$;$😀 $$5$"},
		{[]string{"line\nbreak", "q\"uote"}, "$line\nbreak$;$q\"uote$"},
	}
	for _, c := range cases {
		if got := chunked.EncodeMV(c.vals); got != c.enc {
			t.Errorf("EncodeMV(%q) = %q, want %q", c.vals, got, c.enc)
		}
		tb := chunked.NewTable([]string{"f", "__mv_f"})
		tb.AppendRow("ignored", c.enc)
		if got := tb.Record(0).Values("f"); !reflect.DeepEqual(got, c.vals) {
			t.Errorf("decode %q = %q, want %q", c.enc, got, c.vals)
		}
	}
}

// TestMultivalue_MalformedFallsBackToPlain verifies that a __mv_ cell that
// is not well formed does not lose the plain value.
func TestMultivalue_MalformedFallsBackToPlain(t *testing.T) {
	for _, enc := range []string{"a;b", "$a$b$", "$a", "$a$;"} {
		tb := chunked.NewTable([]string{"f", "__mv_f"})
		tb.AppendRow("plain", enc)
		if got := tb.Record(0).Values("f"); !reflect.DeepEqual(got, []string{"plain"}) {
			t.Errorf("Values with __mv_ %q = %q, want the plain value", enc, got)
		}
	}
}

// TestTable_MultibyteValues verifies multibyte UTF-8 in names and values.
func TestTable_MultibyteValues(t *testing.T) {
	body := "\"名前\",teststring\n\"ทt, 😀\",ทt\n"
	tb, err := chunked.DecodeTable([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if got := tb.Record(0).Value("名前"); got != "ทt, 😀" {
		t.Errorf("got %q", got)
	}
	if got, want := string(tb.AppendCSV(nil)), body; got != want {
		t.Errorf("encoded %q, want %q", got, want)
	}
}

// TestRowWriters_Concurrent verifies goroutines can read and write
// disjoint rows at once once the columns are prepared (run with -race).
func TestRowWriters_Concurrent(t *testing.T) {
	var body strings.Builder
	body.WriteString("_raw,n\n")
	const rows = 4000
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&body, "\"{\"\"id\"\":%d}\",%d\n", i, i)
	}
	tb, err := chunked.DecodeTable([]byte(body.String()))
	if err != nil {
		t.Fatal(err)
	}
	raw, n := tb.Field("_raw"), tb.Field("n")
	out := tb.Prepare("echo", false)
	multi := tb.Prepare("pair", true)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			w := tb.RowWriter()
			for i := lo; i < hi; i++ {
				w.SetValues(i, out, []string{w.Value(i, raw) + " said \"" + w.Value(i, n) + "\""})
				w.SetValues(i, multi, []string{w.Value(i, n), strings.Repeat("x", i%7)})
			}
		}(g*rows/4, (g+1)*rows/4)
	}
	wg.Wait()
	back, err := chunked.DecodeTable(tb.AppendCSV(nil))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < rows; i++ {
		r := back.Record(i)
		if got, want := r.Value("echo"), fmt.Sprintf("{\"id\":%d} said \"%d\"", i, i); got != want {
			t.Fatalf("row %d: echo %q, want %q", i, got, want)
		}
		want := []string{fmt.Sprint(i), strings.Repeat("x", i%7)}
		if got := r.Values("pair"); !reflect.DeepEqual(got, want) {
			t.Fatalf("row %d: pair %q, want %q", i, got, want)
		}
	}
}
