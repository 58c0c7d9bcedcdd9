package benchdata

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// StreamSpec is a stream to write: the events cut into execute chunks of
// ChunkRecords in a layout.
type StreamSpec struct {
	Name         string
	Layout       Layout
	ChunkRecords int
}

// StandardStreams are the streams make bench measures: every field in
// chunks of small and of large records, and _raw-only records in small
// chunks.
func StandardStreams(small, large int) []StreamSpec {
	return []StreamSpec{
		{Name: fmt.Sprintf("full-%s", count(small)), Layout: Full, ChunkRecords: small},
		{Name: fmt.Sprintf("full-%s", count(large)), Layout: Full, ChunkRecords: large},
		{Name: fmt.Sprintf("raw-%s", count(small)), Layout: RawOnly, ChunkRecords: small},
	}
}

// count is 10000 as "10k".
func count(n int) string {
	if n%1000 == 0 {
		return strconv.Itoa(n/1000) + "k"
	}
	return strconv.Itoa(n)
}

// Options says what Write generates.
type Options struct {
	// Events is the number of events; Seed picks them.
	Events int
	Seed   uint64
	// Streams to write; every chunk size must divide the largest.
	Streams []StreamSpec
	// StartupRecords is the size of the two execute chunks of the start-up
	// stream (default 100).
	StartupRecords int
	// Command names the command in getinfo (default "kubeenrich").
	Command string
}

// StreamInfo describes a written stream.
type StreamInfo struct {
	Name         string `json:"name"`
	File         string `json:"file"` // relative to the manifest's folder
	Layout       string `json:"layout"`
	ChunkRecords int    `json:"chunk_records"`
	// Records is the number of rows sent; the start-up stream sends the
	// same rows twice.
	Records int `json:"records"`
	// Bytes is the whole stream's size; BodyBytes the execute bodies'.
	Bytes     int64 `json:"bytes"`
	BodyBytes int64 `json:"body_bytes"`
	// Chunks are the stream's chunks in order, getinfo first.
	Chunks []Chunk `json:"chunks"`
	// Columns is the widest execute body's column count, __mv_ included.
	Columns int `json:"columns"`
}

// Chunk is the size of a chunk: all of it (transport header, metadata,
// body), and its body.
type Chunk struct {
	Bytes int64 `json:"bytes"`
	Body  int64 `json:"body"`
}

// LargestChunk is the size of the largest execute chunk.
func (s *StreamInfo) LargestChunk() int64 {
	var n int64
	for _, c := range s.Chunks[min(1, len(s.Chunks)):] {
		n = max(n, c.Bytes)
	}
	return n
}

// Stats describes the generated events.
type Stats struct {
	AvgRawBytes float64 `json:"avg_raw_bytes"`
	MaxRawBytes int     `json:"max_raw_bytes"`
	// Shares of the events.
	MultivalueSourceIPs float64 `json:"multivalue_source_ips"`
	MultivalueGroups    float64 `json:"multivalue_groups"`
	WithObjects         float64 `json:"with_request_or_response_object"`
	// Distinct counts distinct values: users, source_ips, user_agents,
	// resources, verbs, requests (verb, resource and subresource),
	// object_names.
	Distinct map[string]int `json:"distinct"`
}

// Manifest describes a folder of streams Write made.
type Manifest struct {
	Events  int          `json:"events"`
	Seed    uint64       `json:"seed"`
	Streams []StreamInfo `json:"streams"`
	Startup StreamInfo   `json:"startup"`
	Stats   Stats        `json:"stats"`
}

// Stream returns the stream of that name.
func (m *Manifest) Stream(name string) (*StreamInfo, bool) {
	for i := range m.Streams {
		if m.Streams[i].Name == name {
			return &m.Streams[i], true
		}
	}
	return nil, false
}

const manifestFile = "manifest.json"

// Write generates the events and writes each stream to dir/<name>.chunks
// (a getinfo request, then execute chunks, the last one finished), the
// start-up stream to dir/startup.chunks (getinfo, then the first
// StartupRecords events twice, so that the first execute's extra time
// shows), and what it wrote to dir/manifest.json. Every stream carries
// the same events in the same order. dir is created if missing.
func Write(dir string, opts Options) (*Manifest, error) {
	if opts.Events <= 0 || len(opts.Streams) == 0 {
		return nil, fmt.Errorf("benchdata: nothing to write (%d events, %d streams)", opts.Events, len(opts.Streams))
	}
	if opts.StartupRecords <= 0 {
		opts.StartupRecords = 100
	}
	if opts.Command == "" {
		opts.Command = "kubeenrich"
	}
	block := 0
	for _, s := range opts.Streams {
		if s.ChunkRecords <= 0 {
			return nil, fmt.Errorf("benchdata: stream %s: chunk of %d records", s.Name, s.ChunkRecords)
		}
		block = max(block, s.ChunkRecords)
	}
	for _, s := range opts.Streams {
		if block%s.ChunkRecords != 0 {
			return nil, fmt.Errorf("benchdata: stream %s: chunks of %d records do not divide the largest chunk (%d)", s.Name, s.ChunkRecords, block)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("benchdata: %w", err)
	}
	getinfo := GetInfo(opts.Command)
	m := &Manifest{Events: opts.Events, Seed: opts.Seed}
	outs := make([]*streamFile, len(opts.Streams))
	for i, s := range opts.Streams {
		f, err := createStream(dir, s.Name+".chunks", getinfo)
		if err != nil {
			return nil, err
		}
		defer f.close()
		f.info.Name, f.info.Layout, f.info.ChunkRecords = s.Name, s.Layout.String(), s.ChunkRecords
		outs[i] = f
	}
	st := newStatsCounter()
	g := NewGenerator(opts.Seed)
	evs := make([]Event, block)
	for done := 0; done < opts.Events; {
		n := min(block, opts.Events-done)
		for i := range evs[:n] {
			g.Next(&evs[i])
			st.add(&evs[i])
		}
		if done == 0 {
			if err := writeStartup(dir, &m.Startup, getinfo, evs[:min(n, opts.StartupRecords)]); err != nil {
				return nil, err
			}
		}
		for k, s := range opts.Streams {
			for lo := 0; lo < n; lo += s.ChunkRecords {
				hi := min(lo+s.ChunkRecords, n)
				if err := outs[k].execute(evs[lo:hi], s.Layout, done+hi == opts.Events); err != nil {
					return nil, err
				}
			}
		}
		done += n
	}
	for _, f := range outs {
		if err := f.close(); err != nil {
			return nil, err
		}
		m.Streams = append(m.Streams, f.info)
	}
	m.Stats = st.stats()
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return nil, fmt.Errorf("benchdata: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, manifestFile), append(b, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("benchdata: %w", err)
	}
	return m, nil
}

// ReadManifest reads the manifest Write left in dir.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return nil, fmt.Errorf("benchdata: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("benchdata: %s: %w", filepath.Join(dir, manifestFile), err)
	}
	return &m, nil
}

func writeStartup(dir string, info *StreamInfo, getinfo []byte, evs []Event) error {
	f, err := createStream(dir, "startup.chunks", getinfo)
	if err != nil {
		return err
	}
	defer f.close()
	f.info.Name, f.info.Layout, f.info.ChunkRecords = "startup", Full.String(), len(evs)
	for _, finished := range []bool{false, true} {
		if err := f.execute(evs, Full, finished); err != nil {
			return err
		}
	}
	if err := f.close(); err != nil {
		return err
	}
	*info = f.info
	return nil
}

// streamFile is a stream being written.
type streamFile struct {
	f    *os.File
	w    *bufio.Writer
	hdr  []byte // transport header and metadata
	body []byte
	info StreamInfo
	err  error
}

func createStream(dir, name string, getinfo []byte) (*streamFile, error) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, fmt.Errorf("benchdata: %w", err)
	}
	s := &streamFile{f: f, w: bufio.NewWriterSize(f, 4<<20), info: StreamInfo{File: name}}
	s.chunk(getinfo, nil)
	return s, nil
}

func (s *streamFile) execute(evs []Event, layout Layout, finished bool) error {
	s.body = AppendBody(s.body[:0], evs, layout)
	if cols := columnsOf(s.body); cols > s.info.Columns {
		s.info.Columns = cols
	}
	s.info.Records += len(evs)
	s.info.BodyBytes += int64(len(s.body))
	s.chunk(ExecuteMeta(finished), s.body)
	return s.err
}

func (s *streamFile) chunk(meta, body []byte) {
	s.hdr = appendHead(s.hdr[:0], meta, len(body))
	n := int64(len(s.hdr) + len(body))
	s.info.Chunks = append(s.info.Chunks, Chunk{Bytes: n, Body: int64(len(body))})
	s.info.Bytes += n
	if s.err != nil {
		return
	}
	s.w.Write(s.hdr)
	if _, err := s.w.Write(body); err != nil {
		s.err = fmt.Errorf("benchdata: %s: %w", s.f.Name(), err)
	}
}

// close flushes and closes the file once; later calls return the first
// error.
func (s *streamFile) close() error {
	if s.f == nil {
		return s.err
	}
	if err := s.w.Flush(); err != nil && s.err == nil {
		s.err = fmt.Errorf("benchdata: %s: %w", s.f.Name(), err)
	}
	if err := s.f.Close(); err != nil && s.err == nil {
		s.err = fmt.Errorf("benchdata: %s: %w", s.f.Name(), err)
	}
	s.f = nil
	return s.err
}

// columnsOf counts the header's columns; header names hold no commas.
func columnsOf(body []byte) int {
	n := 1
	for _, c := range body {
		switch c {
		case ',':
			n++
		case '\n':
			return n
		}
	}
	return n
}

// statsCounter accumulates Stats.
type statsCounter struct {
	n, raw, maxRaw, mvIPs, mvGroups, objects int
	distinct                                 map[string]map[string]bool
}

func newStatsCounter() *statsCounter {
	return &statsCounter{distinct: map[string]map[string]bool{}}
}

func (c *statsCounter) see(kind string, vals ...string) {
	m := c.distinct[kind]
	if m == nil {
		m = map[string]bool{}
		c.distinct[kind] = m
	}
	for _, v := range vals {
		m[v] = true
	}
}

func (c *statsCounter) add(e *Event) {
	c.n++
	c.raw += len(e.Raw)
	c.maxRaw = max(c.maxRaw, len(e.Raw))
	if len(e.Values(FieldSourceIPs)) > 1 {
		c.mvIPs++
	}
	if len(e.Values(FieldGroups)) > 1 {
		c.mvGroups++
	}
	if l := e.Values(FieldLevel)[0]; l != "Metadata" && containsObject(e.Raw) {
		c.objects++
	}
	c.see("users", e.Values(FieldUsername)...)
	c.see("source_ips", e.Values(FieldSourceIPs)...)
	c.see("user_agents", e.Values(FieldUserAgent)...)
	c.see("resources", e.Values(FieldResource)...)
	c.see("verbs", e.Values(FieldVerb)...)
	c.see("object_names", e.Values(FieldName)...)
	req := e.Values(FieldVerb)[0]
	for _, f := range []Field{FieldResource, FieldSubresource} {
		if v := e.Values(f); len(v) > 0 {
			req += " " + v[0]
		}
	}
	c.see("requests", req)
}

func containsObject(raw string) bool {
	return strings.Contains(raw, `"requestObject":`) || strings.Contains(raw, `"responseObject":`)
}

func (c *statsCounter) stats() Stats {
	s := Stats{Distinct: map[string]int{}, MaxRawBytes: c.maxRaw}
	if c.n == 0 {
		return s
	}
	n := float64(c.n)
	s.AvgRawBytes = float64(c.raw) / n
	s.MultivalueSourceIPs = float64(c.mvIPs) / n
	s.MultivalueGroups = float64(c.mvGroups) / n
	s.WithObjects = float64(c.objects) / n
	for k, m := range c.distinct {
		s.Distinct[k] = len(m)
	}
	return s
}
