// Package replay is kubeenrich's local mode: it reads Kubernetes audit
// events from a file, shapes them into the records splunkd would send for
// events indexed by eks_logs, drives them through the same chunked
// protocol engine the search command runs under splunkd, and prints the
// enriched result.
package replay

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
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
	// ChunkRecords is the number of records per execute chunk; 0 means
	// DefaultChunkRecords.
	ChunkRecords int
	// JSON prints JSON lines instead of a table.
	JSON bool
	// Fields chooses the columns; empty means the default view.
	Fields []string
}

// DefaultChunkRecords is the records per execute chunk of a replay.
// splunkd sends up to maxresultrows (50,000 by default) to a streaming
// command; each record's enrichment is the same whatever the chunk, and a
// replay's memory grows with it, by about 20 KB per EKS audit event of
// 1.2 KB (peak RSS measured: 380 MB at 10,000, 1.1 GB at 50,000), so a
// replay takes fewer.
const DefaultChunkRecords = 10000

// Source yields the records to replay, in order, to yield; it stops at
// the first error yield returns and returns it.
type Source func(yield func(LogRecord) error) error

// Records is a Source of records held in memory.
func Records(recs []LogRecord) Source {
	return func(yield func(LogRecord) error) error {
		for _, r := range recs {
			if err := yield(r); err != nil {
				return err
			}
		}
		return nil
	}
}

// Run replays the records of src through cmd, cfg.ChunkRecords to an
// execute chunk, and hands each reply's table, with the table it answers,
// to each, in order. The command answers a chunk before it reads the
// next, as under splunkd, and Run reads src only as the command asks for
// chunks: it holds at most three chunks (the reply being handed to each,
// the chunk the command is enriching, the next one), so a file of any
// length replays in the memory of a few chunks. It returns
// the inspector messages of every reply. An error from src ends the run
// with that error; so does one from each. cmd must be a fresh command: it
// sees getinfo with cfg.Args.
func Run(ctx context.Context, cfg Config, src Source, cmd chunked.Command, each func(in, out *chunked.Table) error) ([]chunked.Message, error) {
	size := cfg.ChunkRecords
	if size <= 0 {
		size = DefaultChunkRecords
	}
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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	// The tables sent, for the replies to be paired with (see the three
	// chunks above).
	sent := make(chan *chunked.Table, 2)
	var srcErr error
	var chunks int
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		defer close(sent)
		w := chunked.NewWriter(inW)
		var batch []LogRecord
		send := func(finished bool) error {
			t := cfg.Indexing.Table(batch)
			batch = make([]LogRecord, 0, min(size, 1024))
			select {
			case sent <- t:
			case <-ctx.Done():
				return ctx.Err()
			}
			chunks++
			return w.WriteChunk([]byte(fmt.Sprintf(`{"action":"execute","finished":%t}`, finished)), t.AppendCSV(nil))
		}
		err := w.WriteChunk(getinfo, nil)
		if err == nil {
			var writeErr error
			srcErr = src(func(r LogRecord) error {
				if len(batch) == size {
					// Sent once the next record shows it is not the last.
					if writeErr = send(false); writeErr != nil {
						return writeErr
					}
				}
				batch = append(batch, r)
				return nil
			})
			if writeErr != nil && errors.Is(srcErr, writeErr) {
				srcErr = nil // the command stopped reading: its error says why
			}
			err = writeErr
			if err == nil {
				// Also before a value that cannot be read: the records
				// before it are replayed, then the run ends with its error.
				err = send(true)
			}
		}
		inW.CloseWithError(cmp.Or(srcErr, err))
	}()
	served := make(chan error, 1)
	go func() {
		err := chunked.Serve(ctx, inR, outW, cmd, chunked.Options{Name: "kubeenrich"})
		inR.CloseWithError(errCommandDone) // a writer still sending gives up
		outW.Close()                       // the replies end here; err is returned as it is
		served <- err
	}()
	msgs, replies, eachErr, readErr := readReplies(outR, sent, each)
	if err := cmp.Or(eachErr, readErr); err != nil {
		cancel()
		outR.CloseWithError(err) // the command's writes fail, and it returns
	}
	serveErr := <-served
	<-fed
	switch {
	case srcErr != nil:
		return msgs, srcErr
	case eachErr != nil:
		return msgs, eachErr // the command's own error is then the closed pipe
	case serveErr != nil:
		return msgs, serveErr // what the replies read said less well
	case readErr != nil:
		return msgs, readErr
	case replies != chunks:
		return msgs, fmt.Errorf("replay: sent %d execute chunks, got %d replies", chunks, replies)
	}
	return msgs, nil
}

// errCommandDone is what a write finds once the command has returned.
var errCommandDone = errors.New("replay: the command has stopped reading")

// readReplies reads the command's replies from r, pairs each execute reply
// with the next table of sent and hands both to each. It returns the
// inspector messages, the number of execute replies, each's error, and
// an error of the replies themselves.
func readReplies(r io.Reader, sent <-chan *chunked.Table, each func(in, out *chunked.Table) error) (msgs []chunked.Message, replies int, eachErr, err error) {
	cr := chunked.NewReader(r)
	for i := 0; ; i++ {
		c, err := cr.ReadChunk()
		if err == io.EOF {
			return msgs, replies, nil, nil
		}
		if err != nil {
			return msgs, replies, nil, fmt.Errorf("replay: reading reply %d: %w", i, err)
		}
		var meta chunked.ReplyMeta
		if err := json.Unmarshal(c.Meta, &meta); err != nil {
			return msgs, replies, nil, fmt.Errorf("replay: reply %d metadata: %w", i, err)
		}
		msgs = append(msgs, meta.Inspector.Messages...)
		if i == 0 || meta.Error != "" {
			continue // the getinfo reply, or the error reply
		}
		out, err := chunked.DecodeTable(c.Body)
		if err != nil {
			return msgs, replies, nil, fmt.Errorf("replay: reply %d body: %w", i, err)
		}
		in, ok := <-sent
		if !ok {
			return msgs, replies, nil, fmt.Errorf("replay: reply %d answers no chunk sent", i)
		}
		replies++
		if err := each(in, out); err != nil {
			return msgs, replies, err, nil
		}
	}
}
