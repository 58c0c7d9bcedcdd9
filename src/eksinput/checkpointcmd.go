package eksinput

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kubelens/kubelens/src/checkpoint"
	"github.com/kubelens/kubelens/src/splunklog"
	"github.com/sirupsen/logrus"
)

func checkpointCmd(args []string, sio IO) int {
	log := splunklog.New(sio.Stderr, logrus.InfoLevel)
	if len(args) == 0 {
		log.Error("usage: eks_logs checkpoint show|reset --stanza NAME [--checkpoint-dir DIR]")
		return 2
	}
	fs := flag.NewFlagSet("checkpoint", flag.ContinueOnError)
	def := ""
	if home := sio.Getenv("SPLUNK_HOME"); home != "" {
		def = filepath.Join(home, "var", "lib", "splunk", "modinputs", SchemeName)
	}
	dir := fs.String("checkpoint-dir", def, "the input's checkpoint_dir")
	stanza := fs.String("stanza", "", "stanza name, e.g. prod or eks_logs://prod")
	if code, ok := ParseFlags(fs, args[1:], sio.Stderr, log); !ok {
		return code
	}
	if fs.NArg() != 0 {
		log.WithField("count", fs.NArg()).Error("unexpected arguments (not shown); see eks_logs --help")
		return 2
	}
	switch {
	case *stanza == "" && *dir == "":
		log.Error("--stanza is required, and --checkpoint-dir too when $SPLUNK_HOME is not set")
		return 2
	case *stanza == "":
		log.Error("--stanza is required")
		return 2
	case *dir == "":
		log.Error("--checkpoint-dir is required: $SPLUNK_HOME is not set, so there is no default ($SPLUNK_HOME/var/lib/splunk/modinputs/eks_logs)")
		return 2
	}
	if st, err := os.Stat(*dir); (err != nil || !st.IsDir()) && *dir != def {
		// A mistyped folder would otherwise read as an input that never
		// ran. splunkd's own folder is only made at an input's first run.
		log.WithField("checkpoint_dir", *dir).Error("no such checkpoint directory")
		return 1
	}
	name := *stanza
	if !strings.Contains(name, "://") {
		name = SchemeName + "://" + name
	}
	switch args[0] {
	case "show":
		path := filepath.Join(*dir, checkpoint.FileName(name))
		// The base and its journal, as the input resumes from them (it
		// may be running: Read takes no lock).
		st, jr, err := checkpoint.Read(*dir, name)
		if errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(sio.Stdout, "%s: no checkpoint (the input starts from start_from)\n", path)
			return 0
		}
		if err != nil {
			log.WithField("file", path).WithError(err).Error("checkpoint is unusable")
			return 1
		}
		journal := fmt.Sprintf("%d records, %d bytes", jr.Records, jr.Bytes)
		switch jr.Stop {
		case checkpoint.JournalTorn:
			journal += " (then a save cut short, ignored)"
		case checkpoint.JournalStale:
			journal += " (it follows an older base, ignored)"
		case checkpoint.JournalDamaged:
			journal += " (then a damaged record: " + jr.Err.Error() + ")"
		}
		fmt.Fprintf(sio.Stdout, "file:     %s\nstanza:   %s\nsaved_at: %s\njournal:  %s\n", path, st.Stanza, msTime(st.SavedAt), journal)
		for _, c := range st.Cursors {
			ids := 0
			for _, b := range c.Seen {
				ids += len(b.IDs)
			}
			// The source: "region=- principal=- endpoint=-" for a cursor an
			// earlier version saved, which the input adopts for its source.
			sweep := "none"
			if c.SweepFrom != 0 {
				sweep = msTime(c.SweepFrom)
			}
			fmt.Fprintf(sio.Stdout, "cursor:   %s watermark=%s floor=%s ids_from=%s sweep_from=%s recent_event_ids=%d\n",
				c.Key(), msTime(c.Watermark), msTime(c.Floor), msTime(c.SeenFrom), sweep, ids)
		}
		return 0
	case "reset":
		moved, err := checkpoint.Reset(*dir, name)
		if errors.Is(err, checkpoint.ErrLocked) {
			log.WithField("stanza", name).Error("the input is running: disable it first, then reset")
			return 1
		}
		if err != nil {
			log.WithError(err).Error("cannot reset the checkpoint")
			return 1
		}
		if len(moved) == 0 {
			fmt.Fprintf(sio.Stdout, "%s had no checkpoint\n", name)
		}
		for _, m := range moved {
			fmt.Fprintf(sio.Stdout, "moved aside: %s\n", m)
		}
		return 0
	}
	log.WithField("command", shownWord(args[0])).Error("unknown checkpoint command (want show or reset)")
	return 2
}

func msTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}
