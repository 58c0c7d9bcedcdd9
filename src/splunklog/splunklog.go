// Package splunklog builds the logrus logger both kubelens binaries use.
//
// splunkd reads a child process's stderr line by line and files each line by
// the level word it starts with (DEBUG, INFO, WARN, ERROR, FATAL); a line
// without one is filed as ERROR. logrus's own formatters write
// "time=… level=info msg=…", which splunkd would therefore file as ERROR, so
// this package installs a Formatter that writes "LEVEL message key=value"
// lines, one per entry, with newlines escaped.
package splunklog

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/sirupsen/logrus"
)

// Formatter writes one "LEVEL message key=value ..." line per entry, keys
// sorted so lines are stable and easy to chart with Splunk's automatic
// key=value extraction.
type Formatter struct{}

var _ logrus.Formatter = Formatter{}

var levelWords = map[logrus.Level]string{
	logrus.TraceLevel: "DEBUG",
	logrus.DebugLevel: "DEBUG",
	logrus.InfoLevel:  "INFO",
	logrus.WarnLevel:  "WARN",
	logrus.ErrorLevel: "ERROR",
	logrus.FatalLevel: "FATAL",
	logrus.PanicLevel: "FATAL",
}

var lineBreaks = strings.NewReplacer("\r", `\r`, "\n", `\n`)

// Format implements logrus.Formatter.
func (Formatter) Format(e *logrus.Entry) ([]byte, error) {
	var b bytes.Buffer
	word, ok := levelWords[e.Level]
	if !ok {
		word = "ERROR"
	}
	b.WriteString(word)
	b.WriteByte(' ')
	b.WriteString(lineBreaks.Replace(e.Message))
	keys := make([]string, 0, len(e.Data))
	for k := range e.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := fmt.Sprint(e.Data[k])
		if v == "" || strings.ContainsAny(v, " \"=\r\n\t") {
			v = strconv.Quote(v) // also escapes newlines
		}
		b.WriteByte(' ')
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// New returns a logger writing splunkd-style lines to w at the given level.
func New(w io.Writer, level logrus.Level) *logrus.Logger {
	return &logrus.Logger{
		Out:       w,
		Formatter: Formatter{},
		Hooks:     make(logrus.LevelHooks),
		Level:     level,
		ExitFunc:  func(int) {}, // main decides exit codes, never the logger
	}
}

// ParseLevel accepts Splunk's level words (DEBUG, INFO, WARN, WARNING,
// ERROR, FATAL, any case) as well as logrus's names.
func ParseLevel(s string) (logrus.Level, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "DEBUG", "TRACE":
		return logrus.DebugLevel, nil
	case "INFO", "":
		return logrus.InfoLevel, nil
	case "WARN", "WARNING":
		return logrus.WarnLevel, nil
	case "ERROR":
		return logrus.ErrorLevel, nil
	case "FATAL", "CRITICAL":
		return logrus.FatalLevel, nil
	}
	return logrus.InfoLevel, fmt.Errorf("splunklog: unknown log level %q (want DEBUG, INFO, WARN, ERROR or FATAL)", s)
}

// LevelName returns the level word splunkd files a line under: DEBUG,
// INFO, WARN, ERROR or FATAL.
func LevelName(l logrus.Level) string {
	if w, ok := levelWords[l]; ok {
		return w
	}
	return "ERROR"
}
