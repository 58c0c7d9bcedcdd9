package splunkdfake

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Validator is a modular input's external validation as splunkd runs it
// on every create and edit of a stanza: items is the <items> document the
// program reads on stdin. It returns the message that refuses the stanza,
// or "" to accept it; an error means the validation itself could not run.
type Validator func(ctx context.Context, scheme string, items []byte) (refusal string, err error)

// ExecValidator runs program --validate-arguments, as splunkd does for a
// scheme with use_external_validation: the refusal is the program's
// <error><message>, or splunkd's own words when it exits non-zero without
// one. Like splunkd, it gives the program 30 seconds.
func ExecValidator(program string) Validator {
	return func(ctx context.Context, scheme string, items []byte) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		var stdout bytes.Buffer
		cmd := exec.CommandContext(ctx, program, "--validate-arguments")
		cmd.Stdin = bytes.NewReader(items)
		cmd.Stdout = &stdout
		err := cmd.Run()
		if err == nil {
			return "", nil
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			return "", fmt.Errorf("splunkdfake: run %s --validate-arguments: %w", program, err)
		}
		var doc struct {
			XMLName xml.Name `xml:"error"`
			Message string   `xml:"message"`
		}
		if xml.Unmarshal(stdout.Bytes(), &doc) == nil && doc.Message != "" {
			return doc.Message, nil
		}
		return fmt.Sprintf("Argument validation for scheme=%s: script running failed (exited with code %d).", scheme, ee.ExitCode()), nil
	}
}

// Input is one stanza of a modular input.
type Input struct {
	App      string
	Name     string
	Params   map[string]string
	Disabled bool
}

type scheme struct {
	args     map[string]bool
	validate Validator
	inputs   map[string]*Input // by name
}

// settings are splunkd's own input settings, accepted for every scheme.
var settings = []string{"index", "host", "source", "sourcetype", "interval", "disabled"}

// EnableInputs serves data/inputs/<name> for a modular input whose scheme
// declares args (as its --scheme prints them); validate, when not nil,
// runs on every create and edit.
func (s *Server) EnableInputs(name string, args []string, validate Validator) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := &scheme{args: map[string]bool{}, validate: validate, inputs: map[string]*Input{}}
	for _, a := range append(append([]string(nil), args...), settings...) {
		sc.args[a] = true
	}
	s.schemes[name] = sc
}

// Input returns a stanza of a modular input.
func (s *Server) Input(scheme, name string) (Input, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.schemes[scheme]
	if sc == nil || sc.inputs[name] == nil {
		return Input{}, false
	}
	in := *sc.inputs[name]
	in.Params = copyParams(in.Params)
	return in, true
}

// InputNames returns the stanzas of a modular input, sorted.
func (s *Server) InputNames(scheme string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	if sc := s.schemes[scheme]; sc != nil {
		for n := range sc.inputs {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func copyParams(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// inputs serves servicesNS/nobody/<app>/data/inputs/<scheme>[/<name>[/enable|/disable]].
func (s *Server) inputs(w http.ResponseWriter, r *http.Request, app, schemeName string, rest []string) {
	s.mu.Lock()
	sc := s.schemes[schemeName]
	s.mu.Unlock()
	if sc == nil {
		fail(w, 404, fmt.Sprintf("Not Found: no modular input %s", schemeName))
		return
	}
	if len(rest) == 0 {
		switch r.Method {
		case http.MethodGet:
			s.listInputs(w, r, app, schemeName, sc)
		case http.MethodPost:
			s.createInput(w, r, app, schemeName, sc)
		default:
			fail(w, 405, "method not allowed")
		}
		return
	}
	name, err := url.PathUnescape(rest[0])
	if err != nil || len(rest) > 2 {
		fail(w, 400, "bad name")
		return
	}
	s.mu.Lock()
	in := sc.inputs[name]
	s.mu.Unlock()
	if in == nil {
		fail(w, 404, fmt.Sprintf("Could not find object id=%s", name))
		return
	}
	switch {
	case len(rest) == 2 && r.Method == http.MethodPost && (rest[1] == "enable" || rest[1] == "disable"):
		s.mu.Lock()
		in.Disabled = rest[1] == "disable"
		s.mu.Unlock()
		s.writeInputs(w, 200, app, schemeName, []*Input{in}, 0, 1)
	case len(rest) == 2:
		fail(w, 404, "no such endpoint")
	case r.Method == http.MethodGet:
		s.writeInputs(w, 200, app, schemeName, []*Input{in}, 0, 1)
	case r.Method == http.MethodPost:
		s.editInput(w, r, app, schemeName, sc, in)
	case r.Method == http.MethodDelete:
		s.mu.Lock()
		delete(sc.inputs, name)
		s.mu.Unlock()
		s.listInputs(w, r, app, schemeName, sc)
	default:
		fail(w, 405, "method not allowed")
	}
}

// posted returns the posted parameters, or refuses the request when one
// is neither the scheme's nor splunkd's.
func posted(w http.ResponseWriter, r *http.Request, sc *scheme) (map[string]string, bool) {
	p := map[string]string{}
	for k, vs := range r.PostForm {
		if k == "name" || k == "output_mode" {
			continue
		}
		if !sc.args[k] {
			fail(w, 400, fmt.Sprintf("Argument %q is not supported by this handler.", k))
			return nil, false
		}
		p[k] = vs[len(vs)-1]
	}
	return p, true
}

func (s *Server) createInput(w http.ResponseWriter, r *http.Request, app, schemeName string, sc *scheme) {
	name := r.PostForm.Get("name")
	if name == "" {
		fail(w, 400, "Missing argument: name")
		return
	}
	params, ok := posted(w, r, sc)
	if !ok {
		return
	}
	disabled := isTrue(params["disabled"])
	delete(params, "disabled")
	if !s.validateInput(w, r, schemeName, sc, name, params) {
		return
	}
	s.mu.Lock()
	if sc.inputs[name] != nil {
		s.mu.Unlock()
		fail(w, 409, fmt.Sprintf("Object id=%s://%s cannot be overwritten: object already exists.", schemeName, name))
		return
	}
	in := &Input{App: app, Name: name, Params: params, Disabled: disabled}
	sc.inputs[name] = in
	s.mu.Unlock()
	s.writeInputs(w, 201, app, schemeName, []*Input{in}, 0, 1)
}

func (s *Server) editInput(w http.ResponseWriter, r *http.Request, app, schemeName string, sc *scheme, in *Input) {
	params, ok := posted(w, r, sc)
	if !ok {
		return
	}
	s.mu.Lock()
	merged := copyParams(in.Params)
	disabled := in.Disabled
	s.mu.Unlock()
	for k, v := range params {
		if k == "disabled" {
			disabled = isTrue(v)
			continue
		}
		merged[k] = v
	}
	if !s.validateInput(w, r, schemeName, sc, in.Name, merged) {
		return
	}
	s.mu.Lock()
	in.Params, in.Disabled = merged, disabled
	s.mu.Unlock()
	s.writeInputs(w, 200, app, schemeName, []*Input{in}, 0, 1)
}

// validateInput runs the scheme's validation without holding the lock:
// the program may call back, as eks_logs does to check aws_account in
// storage/passwords. splunkd hands it a session key of its own.
func (s *Server) validateInput(w http.ResponseWriter, r *http.Request, schemeName string, sc *scheme, name string, params map[string]string) bool {
	if sc.validate == nil {
		return true
	}
	s.mu.Lock()
	s.validations++
	key := fmt.Sprintf("validation-%d", s.validations)
	s.sessionKeys[key] = true
	s.mu.Unlock()
	items := ItemsXML(s.URL, key, filepath.Join(os.TempDir(), "splunkdfake-modinputs", schemeName), name, params)
	refusal, err := sc.validate(r.Context(), schemeName, items)
	switch {
	case err != nil:
		fail(w, 500, err.Error())
		return false
	case refusal != "":
		fail(w, 400, refusal)
		return false
	}
	return true
}

// ItemsXML is the <items> document splunkd writes to a program's
// --validate-arguments.
func ItemsXML(serverURI, sessionKey, checkpointDir, name string, params map[string]string) []byte {
	type param struct {
		Name  string `xml:"name,attr"`
		Value string `xml:",chardata"`
	}
	type item struct {
		Name   string  `xml:"name,attr"`
		Params []param `xml:"param"`
	}
	doc := struct {
		XMLName       xml.Name `xml:"items"`
		ServerHost    string   `xml:"server_host"`
		ServerURI     string   `xml:"server_uri"`
		SessionKey    string   `xml:"session_key"`
		CheckpointDir string   `xml:"checkpoint_dir"`
		Item          item     `xml:"item"`
	}{ServerHost: "splunkdfake", ServerURI: serverURI, SessionKey: sessionKey, CheckpointDir: checkpointDir, Item: item{Name: name}}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		doc.Item.Params = append(doc.Item.Params, param{Name: k, Value: params[k]})
	}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err) // strings only
	}
	return append([]byte(xml.Header), b...)
}

func isTrue(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "t", "yes", "y":
		return true
	}
	return false
}

func (s *Server) listInputs(w http.ResponseWriter, r *http.Request, app, schemeName string, sc *scheme) {
	s.mu.Lock()
	all := make([]*Input, 0, len(sc.inputs))
	for _, in := range sc.inputs {
		all = append(all, in)
	}
	s.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	page, offset := pageOf(r, all)
	s.writeInputs(w, 200, app, schemeName, page, offset, len(all))
}

// pageOf applies count and offset as splunkd does: 30 by default, count=0
// for all.
func pageOf[T any](r *http.Request, all []T) ([]T, int) {
	count, offset := 30, 0
	fmt.Sscan(r.Form.Get("count"), &count)
	fmt.Sscan(r.Form.Get("offset"), &offset)
	if count <= 0 {
		count = len(all)
	}
	if offset < 0 || offset > len(all) {
		offset = len(all)
	}
	return all[offset:min(offset+count, len(all))], offset
}

func (s *Server) writeInputs(w http.ResponseWriter, code int, app, schemeName string, ins []*Input, offset, total int) {
	s.mu.Lock()
	entries := []map[string]any{}
	for _, in := range ins {
		path := "/servicesNS/nobody/" + url.PathEscape(in.App) + "/data/inputs/" + url.PathEscape(schemeName) + "/" + url.PathEscape(in.Name)
		content := map[string]any{}
		for k, v := range in.Params {
			content[k] = v
		}
		content["disabled"] = in.Disabled
		links := map[string]string{"alternate": path, "list": path, "edit": path, "remove": path}
		if in.Disabled {
			links["enable"] = path + "/enable"
		} else {
			links["disable"] = path + "/disable"
		}
		entries = append(entries, map[string]any{
			"name": in.Name, "id": s.URL + path, "links": links, "author": "nobody",
			"acl": map[string]any{"app": in.App, "owner": "nobody", "sharing": "app", "modifiable": true, "removable": true,
				"can_write": true, "perms": map[string][]string{"read": {"*"}, "write": {"admin", "sc_admin"}}},
			"content": content,
		})
	}
	s.mu.Unlock()
	writeJSON(w, code, map[string]any{
		"origin": s.URL + "/servicesNS/nobody/" + url.PathEscape(app) + "/data/inputs/" + url.PathEscape(schemeName),
		"entry":  entries, "paging": map[string]int{"total": total, "perPage": len(ins), "offset": offset}, "messages": []any{},
	})
}
