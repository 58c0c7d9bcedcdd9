package splunkd_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/splunkd"
	"github.com/kubelens/kubelens/src/splunkd/splunkdfake"
)

const realm = "eks_logs_account"

// TestGetPassword_SessionKeyOverTLS verifies reading a credential with the
// session key a modular input receives, over splunkd-style self-signed TLS
// on loopback.
func TestGetPassword_SessionKeyOverTLS(t *testing.T) {
	srv := splunkdfake.New(true)
	defer srv.Close()
	srv.AddSessionKey("sk-123")
	srv.Put(splunkdfake.Credential{App: "kubelens", Realm: realm, Username: "prod:acct", Password: `{"key_id":"AKID","secret_key":"s3cr3t"}`})
	c, err := splunkd.NewWithSessionKey(srv.URL, "sk-123", splunkd.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetPassword(t.Context(), "kubelens", realm, "prod:acct")
	if err != nil {
		t.Fatal(err)
	}
	if got != `{"key_id":"AKID","secret_key":"s3cr3t"}` {
		t.Errorf("password = %q", got)
	}
	reqs := srv.Requests()
	if want := `GET /servicesNS/nobody/kubelens/storage/passwords/eks_logs_account:prod%5C:acct:`; reqs[len(reqs)-1] != want {
		t.Errorf("request = %q, want %q", reqs[len(reqs)-1], want)
	}
	if _, err := c.GetPassword(t.Context(), "kubelens", realm, "absent"); !errors.Is(err, splunkd.ErrNotFound) {
		t.Errorf("absent: err = %v", err)
	}
}

// TestWrongKey_ClearErrorWithoutTheKey verifies that a refused key gives
// ErrUnauthorized and that the key is not in the message.
func TestWrongKey_ClearErrorWithoutTheKey(t *testing.T) {
	srv := splunkdfake.New(false)
	defer srv.Close()
	srv.AddSessionKey("good-key")
	c, _ := splunkd.NewWithSessionKey(srv.URL, "wrong-key-SECRET", splunkd.Options{})
	_, err := c.GetPassword(t.Context(), "kubelens", realm, "prod")
	if !errors.Is(err, splunkd.ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	if strings.Contains(err.Error(), "wrong-key-SECRET") {
		t.Errorf("error leaks the key: %v", err)
	}
	if srv.AuthFailures() != 1 {
		t.Errorf("auth failures = %d", srv.AuthFailures())
	}
}

// TestSetPassword_CreateThenUpdate verifies create (201) and, for an
// existing name (409), update of the same entity.
func TestSetPassword_CreateThenUpdate(t *testing.T) {
	srv := splunkdfake.New(false)
	defer srv.Close()
	srv.AddToken("tok")
	c, _ := splunkd.NewWithToken(srv.URL, "tok", splunkd.Options{})
	created, err := c.SetPassword(t.Context(), "kubelens", realm, "prod", "v1")
	if err != nil || !created {
		t.Fatalf("create = %v, %v", created, err)
	}
	created, err = c.SetPassword(t.Context(), "kubelens", realm, "prod", "v2")
	if err != nil || created {
		t.Fatalf("update = %v, %v", created, err)
	}
	if got, _ := srv.Get("kubelens", realm, "prod"); got.Password != "v2" {
		t.Errorf("stored = %+v", got)
	}
}

// TestListPasswords_PagesAndFiltersRealm verifies paging past 100 entries
// and that other realms (and other apps) are not listed.
func TestListPasswords_PagesAndFiltersRealm(t *testing.T) {
	srv := splunkdfake.New(false)
	defer srv.Close()
	srv.AddToken("tok")
	var want []string
	for i := range 230 {
		name := fmt.Sprintf("acct%03d", i)
		want = append(want, name)
		srv.Put(splunkdfake.Credential{App: "kubelens", Realm: realm, Username: name, Password: "p"})
	}
	srv.Put(splunkdfake.Credential{App: "kubelens", Realm: "eks_logs_account_old", Username: "x", Password: "p"})
	srv.Put(splunkdfake.Credential{App: "other", Realm: realm, Username: "y", Password: "p"})
	c, _ := splunkd.NewWithToken(srv.URL, "tok", splunkd.Options{})
	got, err := c.ListPasswords(t.Context(), "kubelens", realm)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("listed %d names, want %d (first %v)", len(got), len(want), got[:min(3, len(got))])
	}
}

func TestLogin(t *testing.T) {
	srv := splunkdfake.New(true)
	defer srv.Close()
	srv.AddUser("admin", "changeme-PW")
	if _, err := splunkd.Login(t.Context(), srv.URL, "admin", "bad-PW", splunkd.Options{}); !errors.Is(err, splunkd.ErrUnauthorized) || strings.Contains(err.Error(), "bad-PW") {
		t.Errorf("bad login: err = %v", err)
	}
	c, err := splunkd.Login(t.Context(), srv.URL, "admin", "changeme-PW", splunkd.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SetPassword(t.Context(), "kubelens", realm, "a", "b"); err != nil {
		t.Errorf("session from login refused: %v", err)
	}
}

func TestEntityName(t *testing.T) {
	if got := splunkd.EntityName("r:x", "u:y"); got != `r\:x:u\:y:` {
		t.Errorf("EntityName = %q", got)
	}
}

// TestErrors_ScrubSecretsFromSplunkdMessages verifies that a message
// relayed from splunkd is scrubbed of the password being set.
func TestErrors_ScrubSecretsFromSplunkdMessages(t *testing.T) {
	srv := splunkdfake.New(false)
	defer srv.Close()
	srv.AddToken("tok")
	c, _ := splunkd.NewWithToken(srv.URL, "tok", splunkd.Options{})
	// An empty username makes the fake answer 400 with a message; the
	// password must not appear in what we return.
	_, err := c.SetPassword(t.Context(), "kubelens", realm, "", "TOPSECRETVALUE")
	if err == nil || strings.Contains(err.Error(), "TOPSECRETVALUE") {
		t.Errorf("err = %v", err)
	}
	if _, err := splunkd.NewWithToken("ftp://x", "tok", splunkd.Options{}); err == nil {
		t.Error("ftp URI accepted")
	}
}
