// Package replay is kubeenrich's local mode: it reads Kubernetes audit
// events from a file, shapes them into the records splunkd would send for
// events indexed by eks_logs, drives them through the same chunked
// protocol engine the search command runs under splunkd, and prints the
// enriched result.
package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/kubelens/kubelens/src/chunked"
)

// Config is one replay run.
type Config struct {
	Indexing Indexing
	// Args are the SPL options, as they would follow the command.
	Args []string
	// ChunkRecords is the number of records per execute chunk (splunkd
	// sends at most maxresultrows, 50,000 by default).
	ChunkRecords int
	// JSON prints JSON lines instead of a table.
	JSON bool
	// Fields chooses the columns; empty means the default view.
	Fields []string
}

// Result is what the command replied.
type Result struct {
	// Input and Output are the tables sent and received, chunk by chunk.
	Input, Output []*chunked.Table
	// Messages are the inspector messages of every reply.
	Messages []chunked.Message
}

// Run replays recs through cmd and returns its replies. cmd must be a
// fresh command: it sees getinfo with cfg.Args.
func Run(ctx context.Context, cfg Config, recs []LogRecord, cmd chunked.Command) (*Result, error) {
	size := cfg.ChunkRecords
	if size <= 0 {
		size = 50000
	}
	res := &Result{}
	var in bytes.Buffer
	w := chunked.NewWriter(&in)
	getinfo, err := json.Marshal(map[string]any{
		"action":  "getinfo",
		"preview": false,
		"searchinfo": map[string]any{
			"args":           cfg.Args,
			"raw_args":       cfg.Args,
			"command":        "kubeenrich",
			"app":            "kubelens",
			"splunk_version": "replay",
			"sid":            "replay",
			"maxresultrows":  size,
			"earliest_time":  "0",
			"latest_time":    "0",
			"search":         "%7C%20kubeenrich%20" + strings.Join(cfg.Args, "%20"),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	if err := w.WriteChunk(getinfo, nil); err != nil {
		return nil, err
	}
	for start := 0; start < len(recs) || start == 0; start += size {
		end := min(start+size, len(recs))
		t := cfg.Indexing.Table(recs[start:end])
		res.Input = append(res.Input, t)
		meta := fmt.Sprintf(`{"action":"execute","finished":%t}`, end == len(recs))
		if err := w.WriteChunk([]byte(meta), t.AppendCSV(nil)); err != nil {
			return nil, err
		}
		if end == len(recs) {
			break
		}
	}
	var out bytes.Buffer
	serveErr := chunked.Serve(ctx, &in, &out, cmd, chunked.Options{Name: "kubeenrich"})
	if err := res.readReplies(&out); err != nil {
		return nil, err
	}
	if serveErr != nil {
		return res, serveErr
	}
	if len(res.Output) != len(res.Input) {
		return res, fmt.Errorf("replay: sent %d execute chunks, got %d replies", len(res.Input), len(res.Output))
	}
	return res, nil
}

func (res *Result) readReplies(r io.Reader) error {
	cr := chunked.NewReader(r)
	for i := 0; ; i++ {
		c, err := cr.ReadChunk()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("replay: reading reply %d: %w", i, err)
		}
		var meta chunked.ReplyMeta
		if err := json.Unmarshal(c.Meta, &meta); err != nil {
			return fmt.Errorf("replay: reply %d metadata: %w", i, err)
		}
		res.Messages = append(res.Messages, meta.Inspector.Messages...)
		if i == 0 || meta.Error != "" {
			continue // the getinfo reply, or the error reply
		}
		t, err := chunked.DecodeTable(c.Body)
		if err != nil {
			return fmt.Errorf("replay: reply %d body: %w", i, err)
		}
		res.Output = append(res.Output, t)
	}
}
