package chunked_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/chunked"
)

// upperCommand adds upper=<value of f, upper-cased> to every record and
// warns about records without f. It rejects any option but "f=<field>".
type upperCommand struct {
	field   string
	gotInfo *chunked.GetInfoRequest
	execs   int
}

func (c *upperCommand) GetInfo(req *chunked.GetInfoRequest) (chunked.Config, error) {
	c.gotInfo = req
	c.field = "f"
	for _, a := range req.SearchInfo.Args {
		name, value, _ := strings.Cut(a, "=")
		if name != "f" {
			return chunked.Config{}, fmt.Errorf("unknown option %q", name)
		}
		c.field = value
	}
	return chunked.Config{}, nil
}

func (c *upperCommand) Execute(_ context.Context, t *chunked.Table, msgs *chunked.Messages) error {
	c.execs++
	ref := t.Field(c.field)
	for i := 0; i < t.Len(); i++ {
		v := t.Value(i, ref)
		if v == "" {
			msgs.Warn("no-field", fmt.Sprintf("record %d has no %s", i, c.field))
			continue
		}
		t.Set(i, "upper", strings.ToUpper(v))
	}
	return nil
}

// stream builds a byte stream of chunks as splunkd would send it.
func stream(t *testing.T, chunks ...[2]string) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	w := chunked.NewWriter(&buf)
	for _, c := range chunks {
		if err := w.WriteChunk([]byte(c[0]), []byte(c[1])); err != nil {
			t.Fatal(err)
		}
	}
	return &buf
}

const getinfo = `{"action":"getinfo","preview":false,"streaming_command_will_restart":false,"searchinfo":{"args":["f=name"],"raw_args":["f=\"name\""],"dispatch_dir":"/opt/splunk/var/run/splunk/dispatch/1700000000.1","sid":"1700000000.1","app":"kubelens","owner":"admin","username":"admin","session_key":"s3cr3t-session","splunkd_uri":"https://127.0.0.1:8089","splunk_version":"9.1.2","search":"search%20index%3Dmain%20%7C%20upper%20f%3D%22name%22","command":"upper","maxresultrows":50000,"earliest_time":"1700000000.5","latest_time":1700003600}}`

type reply struct {
	meta chunked.ReplyMeta
	body string
}

func readReplies(t *testing.T, out []byte) []reply {
	t.Helper()
	r := chunked.NewReader(bytes.NewReader(out))
	var replies []reply
	for {
		c, err := r.ReadChunk()
		if err == io.EOF {
			return replies
		}
		if err != nil {
			t.Fatalf("reading replies: %v", err)
		}
		var m chunked.ReplyMeta
		if err := json.Unmarshal(c.Meta, &m); err != nil {
			t.Fatalf("reply metadata %q: %v", c.Meta, err)
		}
		replies = append(replies, reply{m, string(c.Body)})
	}
}

// TestServe_Exchange verifies the whole exchange: getinfo parsed and
// answered with type streaming, then exactly one reply per execute request
// with finished copied, rows kept and the new field added, for bodies that
// are empty, header-only, one record and several records.
func TestServe_Exchange(t *testing.T) {
	in := stream(t,
		[2]string{getinfo, ""},
		[2]string{`{"action":"execute","finished":false}`, ""},
		[2]string{`{"action":"execute","finished":false}`, "name,\"_chunked_idx\"\n"},
		[2]string{`{"action":"execute","finished":false}`, "name,\"_chunked_idx\"\nทt,0\n"},
		[2]string{`{"action":"execute","finished":false}`, "name,\"_chunked_idx\"\nab,1\n,2\n\"x,y\",3\n"},
		[2]string{`{"action":"execute","finished":true}`, "name,\"_chunked_idx\"\n"},
	)
	var out bytes.Buffer
	cmd := &upperCommand{}
	if err := chunked.Serve(t.Context(), in, &out, cmd, chunked.Options{Name: "upper"}); err != nil {
		t.Fatal(err)
	}
	replies := readReplies(t, out.Bytes())
	want := []reply{
		{chunked.ReplyMeta{Type: "streaming"}, ""},
		{chunked.ReplyMeta{}, ""},
		{chunked.ReplyMeta{}, ""},
		{chunked.ReplyMeta{}, "name,\"_chunked_idx\",upper\nทt,0,ทT\n"},
		{chunked.ReplyMeta{Inspector: chunked.Inspector{Messages: []chunked.Message{{Level: "WARN", Text: "record 1 has no name"}}}}, "name,\"_chunked_idx\",upper\nab,1,AB\n,2,\n\"x,y\",3,\"X,Y\"\n"},
		{chunked.ReplyMeta{Finished: true}, ""},
	}
	if !reflect.DeepEqual(replies, want) {
		t.Errorf("replies:\n%+v\nwant:\n%+v", replies, want)
	}
	if cmd.execs != 5 {
		t.Errorf("Execute called %d times, want 5", cmd.execs)
	}
	// The getinfo reply is exactly what splunklib sends.
	if !bytes.HasPrefix(out.Bytes(), []byte("chunked 1.0,20,0\n{\"type\":\"streaming\"}chunked 1.0,18,0\n{\"finished\":false}")) {
		t.Errorf("stream starts %q", out.Bytes()[:60])
	}
}

// TestServe_GetInfoFields verifies every searchinfo key is parsed, with
// times given as string or number.
func TestServe_GetInfoFields(t *testing.T) {
	cmd := &upperCommand{}
	if err := chunked.Serve(t.Context(), stream(t, [2]string{getinfo, ""}), io.Discard, cmd, chunked.Options{}); err != nil {
		t.Fatal(err)
	}
	si := cmd.gotInfo.SearchInfo
	got := []any{si.Args, si.RawArgs, si.DispatchDir, si.SID, si.App, si.Owner, si.Username, si.SessionKey.Reveal(),
		si.SplunkdURI, si.SplunkVersion, si.DecodedSearch(), si.Command, int64(si.MaxResultRows), float64(si.EarliestTime), float64(si.LatestTime)}
	want := []any{[]string{"f=name"}, []string{`f="name"`}, "/opt/splunk/var/run/splunk/dispatch/1700000000.1", "1700000000.1", "kubelens", "admin", "admin", "s3cr3t-session",
		"https://127.0.0.1:8089", "9.1.2", `search index=main | upper f="name"`, "upper", int64(50000), 1700000000.5, 1700003600.0}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("searchinfo:\n%#v\nwant\n%#v", got, want)
	}
	if s := fmt.Sprintf("%v %+v %#v", si.SessionKey, si, si); strings.Contains(s, "s3cr3t") {
		t.Errorf("the session key leaks through fmt: %s", s)
	}
}

// TestServe_Errors verifies that every fatal problem ends the exchange with
// one error reply that splunkd shows, and an error for a non-zero exit.
func TestServe_Errors(t *testing.T) {
	execute := `{"action":"execute","finished":true}`
	cases := []struct {
		name    string
		in      *bytes.Buffer
		replies int // including the error reply
		want    string
	}{
		{"unknown option", stream(t, [2]string{strings.Replace(getinfo, `"f=name"`, `"bogus=1"`, 1), ""}), 1, `unknown option "bogus"`},
		{"execute first", stream(t, [2]string{execute, "a\n1\n"}), 1, `expected the getinfo action first, not "execute"`},
		{"getinfo with a body", stream(t, [2]string{getinfo, "a\n1\n"}), 1, "did not expect a body with getinfo"},
		{"getinfo not JSON", stream(t, [2]string{"{nope", ""}), 1, "getinfo metadata is not valid JSON"},
		{"execute not JSON", stream(t, [2]string{getinfo, ""}, [2]string{"[", ""}), 2, "execute metadata is not valid JSON"},
		{"second getinfo", stream(t, [2]string{getinfo, ""}, [2]string{getinfo, ""}), 2, `expected the execute action, not "getinfo"`},
		{"wrong column count", stream(t, [2]string{getinfo, ""}, [2]string{execute, "name,b\n1,2,3\n"}), 2, "csv record 1 has 3 fields, the header has 2"},
		{"truncated chunk", bytes.NewBufferString(stream(t, [2]string{getinfo, ""}).String() + "chunked 1.0,36,100\n" + execute + "name\n"), 2, "stream ended inside the body"},
		{"truncated header", bytes.NewBufferString(stream(t, [2]string{getinfo, ""}).String() + "chunked 1.0,3"), 2, "stream ended inside a transport header"},
		{"too large", bytes.NewBufferString(stream(t, [2]string{getinfo, ""}).String() + "chunked 1.0,36,5000\n"), 2, "exceed the maximum of 4096 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := chunked.Serve(t.Context(), tc.in, &out, &upperCommand{}, chunked.Options{Name: "upper", MaxChunkSize: 4096})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Serve() = %v, want an error containing %q", err, tc.want)
			}
			replies := readReplies(t, out.Bytes())
			if len(replies) != tc.replies {
				t.Fatalf("%d replies, want %d: %+v", len(replies), tc.replies, replies)
			}
			last := replies[len(replies)-1].meta
			wantText := "upper: " + err.Error()
			if !last.Finished || last.Error != wantText || !reflect.DeepEqual(last.Inspector.Messages, []chunked.Message{{Level: "ERROR", Text: wantText}}) {
				t.Errorf("error reply %+v, want finished, error and ERROR message %q", last, wantText)
			}
		})
	}
}

// TestServe_EOFAfterGetInfo verifies that splunkd closing the pipe right
// after getinfo, or before anything, is a normal end.
func TestServe_EOFAfterGetInfo(t *testing.T) {
	for _, in := range []*bytes.Buffer{stream(t, [2]string{getinfo, ""}), {}} {
		if err := chunked.Serve(t.Context(), in, io.Discard, &upperCommand{}, chunked.Options{}); err != nil {
			t.Errorf("Serve() = %v, want nil", err)
		}
	}
}

// TestServe_WarningsAreSummarised verifies that many warnings of one kind
// become one message with a count, and that kinds beyond the cap are
// counted, not listed.
func TestServe_WarningsAreSummarised(t *testing.T) {
	var m chunked.Messages
	for i := 0; i < 500; i++ {
		m.Warn("same", fmt.Sprintf("first %d", i))
	}
	for i := 0; i < 30; i++ {
		m.Warn(fmt.Sprint("kind", i), "other")
	}
	list := m.List()
	if len(list) != 11 {
		t.Fatalf("%d messages, want 10 distinct plus a summary: %+v", len(list), list)
	}
	if list[0].Text != "first 0 (and 499 more like it in this chunk)" {
		t.Errorf("first message %q", list[0].Text)
	}
	if list[10].Text != "21 more messages of other kinds in this chunk were not shown" {
		t.Errorf("summary %q", list[10].Text)
	}
}

// failingWriter fails every write, as a closed pipe does.
type failingWriter struct{ writes int }

func (w *failingWriter) Write([]byte) (int, error) { w.writes++; return 0, errors.New("broken pipe") }

// TestServe_BrokenPipe verifies that a failed write ends Serve without
// trying to write an error reply into the broken pipe.
func TestServe_BrokenPipe(t *testing.T) {
	w := &failingWriter{}
	err := chunked.Serve(t.Context(), stream(t, [2]string{getinfo, ""}), w, &upperCommand{}, chunked.Options{})
	if err == nil || !strings.Contains(err.Error(), "broken pipe") {
		t.Fatalf("Serve() = %v, want the write error", err)
	}
	if w.writes != 1 {
		t.Errorf("%d writes, want 1", w.writes)
	}
}

// TestMessages_Merge verifies merged messages keep their order and counts.
func TestMessages_Merge(t *testing.T) {
	var a, b chunked.Messages
	a.Warn("x", "first x")
	b.Warn("x", "second x")
	b.Warn("x", "third x")
	b.Info("y", "a y")
	a.Merge(&b)
	want := []chunked.Message{{Level: "WARN", Text: "first x (and 2 more like it in this chunk)"}, {Level: "INFO", Text: "a y"}}
	if got := a.List(); !reflect.DeepEqual(got, want) {
		t.Errorf("merged %+v, want %+v", got, want)
	}
}

// panicCommand panics where it is told to: in GetInfo, in Execute, or in
// a goroutine Execute starts and recovers with Recovered.
type panicCommand struct{ where string }

func (c *panicCommand) GetInfo(*chunked.GetInfoRequest) (chunked.Config, error) {
	if c.where == "getinfo" {
		panic("boom in getinfo")
	}
	return chunked.Config{}, nil
}

func (c *panicCommand) Execute(_ context.Context, t *chunked.Table, _ *chunked.Messages) (err error) {
	switch c.where {
	case "execute":
		var cells []int
		return fmt.Errorf("unreachable: %d", cells[t.Len()]) // index out of range, as a bug would make
	case "goroutine":
		done := make(chan error)
		go func() {
			defer func() { done <- chunked.Recovered(recover()) }()
			panic(fmt.Sprintf("boom in a worker of %d rows", t.Len()))
		}()
		return <-done
	}
	return nil
}

// TestServe_PanicBecomesErrorReply verifies a panic anywhere in a command
// ends the exchange with an error reply and a *PanicError, the stream
// whole.
func TestServe_PanicBecomesErrorReply(t *testing.T) {
	for _, where := range []string{"getinfo", "execute", "goroutine"} {
		in := stream(t, [2]string{getinfo, ""}, [2]string{`{"action":"execute","finished":true}`, "name\nx\n"})
		var out bytes.Buffer
		err := chunked.Serve(t.Context(), in, &out, &panicCommand{where}, chunked.Options{Name: "cmd"})
		var pe *chunked.PanicError
		if !errors.As(err, &pe) || len(pe.Stack) == 0 {
			t.Errorf("%s: Serve returned %v, want a *PanicError with a stack", where, err)
			continue
		}
		replies := readReplies(t, out.Bytes())
		last := replies[len(replies)-1].meta
		if !strings.HasPrefix(last.Error, "cmd: internal error") || !last.Finished {
			t.Errorf("%s: last reply %+v, want a finished error reply", where, last)
		}
	}
}

// TestServe_StopsWhenCancelled verifies a cancelled context ends Serve
// while it waits for splunkd, with ErrStopped and nothing written.
func TestServe_StopsWhenCancelled(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(t.Context())
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- chunked.Serve(ctx, pr, &out, &upperCommand{}, chunked.Options{}) }()
	io.WriteString(pw, "chunked 1.0,40,") // half a header: Serve now waits for more
	cancel()
	err := <-done
	if !errors.Is(err, chunked.ErrStopped) || !errors.Is(err, context.Canceled) {
		t.Errorf("Serve returned %v, want ErrStopped", err)
	}
	if out.Len() != 0 {
		t.Errorf("Serve wrote %q after it was stopped", out.String())
	}
}

// TestReadChunk_DeclaredSizeIsNotAllocated verifies a header declaring a
// large body does not make the reader allocate it before the bytes come.
func TestReadChunk_DeclaredSizeIsNotAllocated(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := chunked.NewReader(strings.NewReader("chunked 1.0,2,1073741824\n{}abc")).ReadChunk()
	runtime.ReadMemStats(&after)
	var pe chunked.ProtocolError
	if !errors.As(err, &pe) {
		t.Errorf("error %v, want a protocol error for the cut body", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 32<<20 {
		t.Errorf("a declared 1 GiB body with 3 bytes sent allocated %d bytes", n)
	}
}

// TestGetInfo_LenientAboutKeysNotUsed verifies getinfo keys the command
// does not need may have another type than usual (a realtime search's
// earliest time, a numeric preview) without failing the search, while
// action and args must be right.
func TestGetInfo_LenientAboutKeysNotUsed(t *testing.T) {
	for _, meta := range []string{
		`{"action":"getinfo","preview":0,"searchinfo":{"args":["f=name"],"earliest_time":"rt-5m","latest_time":"rt","session_key":123,"maxresultrows":"1e400","sid":7}}`,
		`{"action":"getinfo","streaming_command_will_restart":"no","searchinfo":{"args":["f=name"],"raw_args":[1,2]}}`,
	} {
		var out bytes.Buffer
		cmd := &upperCommand{}
		if err := chunked.Serve(t.Context(), stream(t, [2]string{meta, ""}), &out, cmd, chunked.Options{}); err != nil {
			t.Errorf("%s: %v", meta, err)
			continue
		}
		if cmd.field != "name" {
			t.Errorf("%s: args not read (field %q)", meta, cmd.field)
		}
	}
	for _, meta := range []string{
		`{"action":7,"searchinfo":{"args":[]}}`,
		`{"action":"getinfo","searchinfo":{"args":"f=name"}}`,
	} {
		var out bytes.Buffer
		if err := chunked.Serve(t.Context(), stream(t, [2]string{meta, ""}), &out, &upperCommand{}, chunked.Options{}); err == nil {
			t.Errorf("%s: accepted", meta)
		}
	}
}
