package splunkdfake_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/splunkd/splunkdfake"
)

type reply struct {
	Entry []struct {
		Name    string         `json:"name"`
		Content map[string]any `json:"content"`
		ACL     struct {
			App string `json:"app"`
		} `json:"acl"`
	} `json:"entry"`
	Messages []struct {
		Type, Text string
	} `json:"messages"`
}

func call(t *testing.T, s *splunkdfake.Server, method, path string, form url.Values) (int, reply) {
	t.Helper()
	var body io.Reader
	if method != http.MethodGet {
		body = strings.NewReader(form.Encode())
	} else if form != nil {
		path += "?" + form.Encode()
	}
	req, _ := http.NewRequest(method, s.URL+path, body)
	req.Header.Set("Authorization", "Splunk k")
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r reply
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("%s %s: not JSON: %v", method, path, err)
	}
	return resp.StatusCode, r
}

// TestInputs walks a modular input's stanza through its life, with a
// validator that refuses one value and sees the items splunkd would send.
func TestInputs(t *testing.T) {
	s := splunkdfake.New(false)
	defer s.Close()
	s.AddSessionKey("k")
	var seen []string
	s.EnableInputs("demo", []string{"region", "level"}, func(_ context.Context, scheme string, items []byte) (string, error) {
		var doc struct {
			SessionKey string `xml:"session_key"`
			Item       struct {
				Name   string `xml:"name,attr"`
				Params []struct {
					Name  string `xml:"name,attr"`
					Value string `xml:",chardata"`
				} `xml:"param"`
			} `xml:"item"`
		}
		if err := xml.Unmarshal(items, &doc); err != nil || doc.SessionKey == "" || scheme != "demo" {
			t.Errorf("items %s (%v)", items, err)
		}
		for _, p := range doc.Item.Params {
			seen = append(seen, doc.Item.Name+":"+p.Name+"="+p.Value)
			if p.Value == "bad" {
				return "region: bad is not a region", nil
			}
		}
		return "", nil
	})
	const base = "/servicesNS/nobody/app1/data/inputs/demo"
	if code, r := call(t, s, "POST", base, url.Values{"name": {"a"}, "region": {"bad"}}); code != 400 || r.Messages[0].Text != "region: bad is not a region" {
		t.Errorf("refused create: %d %+v", code, r)
	}
	if code, r := call(t, s, "POST", base, url.Values{"name": {"a"}, "nope": {"x"}}); code != 400 || !strings.Contains(r.Messages[0].Text, `"nope" is not supported`) {
		t.Errorf("unknown argument: %d %+v", code, r)
	}
	if code, r := call(t, s, "POST", base, url.Values{"name": {"a"}, "region": {"r1"}, "index": {"main"}}); code != 201 || r.Entry[0].Name != "a" || r.Entry[0].ACL.App != "app1" {
		t.Errorf("create: %d %+v", code, r)
	}
	if code, _ := call(t, s, "POST", base, url.Values{"name": {"a"}, "region": {"r1"}}); code != 409 {
		t.Errorf("duplicate: %d", code)
	}
	if code, _ := call(t, s, "POST", base+"/a", url.Values{"region": {"bad"}}); code != 400 {
		t.Errorf("refused edit: %d", code)
	}
	if code, _ := call(t, s, "POST", base+"/a", url.Values{"level": {"2"}}); code != 200 {
		t.Errorf("edit: %d", code)
	}
	if in, _ := s.Input("demo", "a"); in.Params["region"] != "r1" || in.Params["level"] != "2" || in.Params["index"] != "main" {
		t.Errorf("after edit: %+v", in)
	}
	if seen[len(seen)-1] != "a:region=r1" || !strings.Contains(strings.Join(seen, " "), "a:level=2") {
		t.Errorf("the edit was validated with %q, want the merged stanza", seen)
	}
	call(t, s, "POST", base+"/a/disable", nil)
	if code, r := call(t, s, "GET", base, url.Values{"count": {"0"}}); code != 200 || len(r.Entry) != 1 || r.Entry[0].Content["disabled"] != true {
		t.Errorf("list after disable: %d %+v", code, r)
	}
	call(t, s, "POST", base+"/a/enable", nil)
	if in, _ := s.Input("demo", "a"); in.Disabled {
		t.Error("still disabled after enable")
	}
	if code, r := call(t, s, "DELETE", base+"/a", nil); code != 200 || len(r.Entry) != 0 || len(s.InputNames("demo")) != 0 {
		t.Errorf("delete: %d %+v", code, r)
	}
	if code, _ := call(t, s, "GET", "/servicesNS/nobody/app1/data/inputs/other", nil); code != 404 {
		t.Errorf("unknown scheme: %d", code)
	}
}

// TestPasswordsAndApps: delete, the f= field filter, and apps/local.
func TestPasswordsAndApps(t *testing.T) {
	s := splunkdfake.New(false)
	defer s.Close()
	s.AddSessionKey("k")
	s.Put(splunkdfake.Credential{App: "app1", Realm: "r", Username: "u", Password: "secret"})
	_, r := call(t, s, "GET", "/servicesNS/nobody/app1/storage/passwords", url.Values{"f": {"realm", "username"}})
	if len(r.Entry) != 1 || r.Entry[0].Content["username"] != "u" || r.Entry[0].Content["clear_password"] != nil {
		t.Errorf("f= filter: %+v", r)
	}
	if code, r := call(t, s, "DELETE", "/servicesNS/nobody/app1/storage/passwords/r%3Au%3A", nil); code != 200 || len(r.Entry) != 0 {
		t.Errorf("delete: %d %+v", code, r)
	}
	if _, ok := s.Get("app1", "r", "u"); ok {
		t.Error("still stored")
	}
	if code, r := call(t, s, "POST", "/servicesNS/nobody/system/apps/local/app1", url.Values{"configured": {"1"}}); code != 200 || r.Entry[0].Content["configured"] != true {
		t.Errorf("configured: %d %+v", code, r)
	}
	if got := s.AppSettings("app1")["configured"]; got != "1" {
		t.Errorf("AppSettings = %q", got)
	}
}
