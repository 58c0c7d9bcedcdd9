/*
 * kubelens setup page (view kubelens_setup): AWS accounts for eks_logs in
 * splunkd's storage/passwords, and eks_logs inputs in data/inputs/eks_logs.
 *
 * Plain ES2017 with no library and nothing required from Splunk Web: every
 * call goes to splunkd through Splunk Web's proxy, <prefix>/splunkd/__raw/...,
 * with Splunk Web's CSRF form key on writes. Validation of input parameters
 * is eks_logs' own (--validate-arguments, which splunkd runs on every save):
 * this page shows splunkd's messages as they are. A secret key is only ever
 * in the password field and in the body of one POST: never in a URL, the
 * console, or the page once saved.
 */
(function () {
  'use strict';

  // The fields of the input form and the account rules, generated from
  // eks_logs' declarations by "make docs" (src/setuppage).
  // generated:form
  const FORM = {
    "app": "kubelens",
    "scheme": "eks_logs",
    "realm": "eks_logs_account",
    "account_pattern": "^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$",
    "key_id_pattern": "^[A-Z0-9]{16,128}$",
    "params": [
      {
        "name": "aws_region",
        "title": "AWS Region",
        "description": "The AWS Region of the cluster's log group, in any partition: for example us-east-1, eu-west-1, us-gov-west-1, cn-north-1.",
        "data_type": "string",
        "required_on_create": true
      },
      {
        "name": "cluster_name",
        "title": "EKS cluster name",
        "description": "The EKS cluster name; required unless log_group is set. The log group read is then /aws/eks/\u003ccluster_name\u003e/cluster.",
        "data_type": "string",
        "required_on_create": false
      },
      {
        "name": "log_group",
        "title": "Log group",
        "description": "The CloudWatch Logs log group to read. Default: /aws/eks/\u003ccluster_name\u003e/cluster.",
        "data_type": "string",
        "required_on_create": false
      },
      {
        "name": "log_types",
        "title": "Log types",
        "description": "Which control-plane logs to read, any of: audit (kube-apiserver-audit-), api (kube-apiserver-), authenticator (authenticator-), controllerManager (kube-controller-manager-), scheduler (kube-scheduler-), cloudControllerManager (cloud-controller-manager-). Each is one FilterLogEvents query on its stream prefix; \"api\" drops the audit streams that its prefix also matches. A list naming no log type (\",\") is refused; an empty value means the default, as for every parameter. Default: audit.",
        "data_type": "string",
        "required_on_create": false
      },
      {
        "name": "start_from",
        "title": "Start from",
        "description": "Where the input starts when its checkpoint has no cursor for what it reads yet (first run, after \"eks_logs checkpoint reset\", or after aws_region, role_arn, aws_account, endpoint_url, the log group or a log type changed); ignored once there is one. Nothing older is ever read, not even by the overlap. Examples: now, beginning, 2024-05-01T00:00:00Z, -24h, -7d. Default: -1h.",
        "data_type": "string",
        "required_on_create": false
      },
      {
        "name": "aws_account",
        "title": "AWS account",
        "description": "The name of an AWS access key stored in splunkd's storage/passwords (app kubelens, realm eks_logs_account) on the kubelens setup page or with \"eks_logs credentials set --account \u003cname\u003e\". When not set, the AWS SDK's default credential chain applies: environment variables, shared config and credentials files, then the EC2 instance or EKS pod role of the host. Not accepted by the service, which has no splunkd: it uses the default chain, AWS_PROFILE or role_arn. Default: the AWS SDK's default credential chain.",
        "data_type": "string",
        "required_on_create": false,
        "choices": "accounts"
      },
      {
        "name": "role_arn",
        "title": "IAM role ARN",
        "description": "An IAM role to assume on top of the credentials, e.g. arn:aws:iam::123456789012:role/eks-logs-reader, in the partition of aws_region (arn:aws-cn: for cn-north-1, arn:aws-us-gov: for us-gov-west-1). The role needs logs:FilterLogEvents on the log group.",
        "data_type": "string",
        "required_on_create": false
      },
      {
        "name": "external_id",
        "title": "External ID",
        "description": "The external ID to present when assuming role_arn. Only valid with role_arn.",
        "data_type": "string",
        "required_on_create": false
      },
      {
        "name": "endpoint_url",
        "title": "CloudWatch Logs endpoint URL",
        "description": "Overrides the CloudWatch Logs endpoint, e.g. an interface VPC endpoint; no credentials (user:password@) in it. The standard AWS_ENDPOINT_URL_CLOUDWATCH_LOGS and AWS_ENDPOINT_URL environment variables are honoured as well.",
        "data_type": "string",
        "required_on_create": false
      },
      {
        "name": "poll_interval",
        "title": "Poll interval",
        "description": "Time between polls. Durations are written 30s, 2m, 1h, 7d, 500ms, or as a bare number of seconds. Default: 30s.",
        "data_type": "string",
        "required_on_create": false
      },
      {
        "name": "overlap",
        "title": "Overlap",
        "description": "How far back each late sweep (see sweep_interval) re-reads, so that events CloudWatch ingests late are still picked up; events already emitted are dropped by their eventId. Events arriving later than lag + overlap after their timestamp can be missed. Raised, it takes effect as the remembered eventIds come to cover it (after the new overlap has passed), so that no event is emitted twice; lowered, from the next sweep on (a sweep that was cut short is finished first). The sweeps cost calls, and the checkpoint holds the eventIds of overlap + sweep_interval, in proportion to the event rate (see Sizing against the 5 calls/s quota). At most 14d. Default: 10m.",
        "data_type": "string",
        "required_on_create": false
      },
      {
        "name": "sweep_interval",
        "title": "Late sweep interval",
        "description": "How often a poll is a late sweep: it re-reads from overlap before where the previous sweep's window ended, to pick up events CloudWatch ingested after the input had passed their timestamp. The polls in between read from the watermark on only. An event ingested up to lag + overlap after its timestamp is emitted at the latest by the first sweep that begins after its ingestion and completes, so a late event waits up to about sweep_interval + poll_interval, an on-time one poll_interval. With sweep_interval at least poll_interval, each event is read about 2 + overlap / sweep_interval times in all; 0 (or less than poll_interval) makes every poll a sweep, which reads each event about (overlap + poll_interval) / poll_interval times (see Sizing against the 5 calls/s quota). At most 14d. Default: 5m.",
        "data_type": "string",
        "required_on_create": false
      },
      {
        "name": "lag",
        "title": "Lag",
        "description": "How far behind now a query window ends, leaving CloudWatch time to ingest recent events. Default: 1m.",
        "data_type": "string",
        "required_on_create": false
      },
      {
        "name": "max_calls_per_second",
        "title": "Max calls per second",
        "description": "Upper bound on FilterLogEvents calls per second made by this input, retries included, from 0.01 (one call per 100 s) to 1000. The FilterLogEvents quota (5 per second) is shared by the whole AWS account and Region: keep the sum over the inputs reading one account and Region at 5 or less. Default: 1.",
        "data_type": "number",
        "required_on_create": false
      },
      {
        "name": "max_backoff",
        "title": "Max backoff",
        "description": "The longest wait between retries of a throttled or failed call. Default: 30s.",
        "data_type": "string",
        "required_on_create": false
      },
      {
        "name": "call_timeout",
        "title": "Call timeout",
        "description": "How long one FilterLogEvents attempt may take. An endpoint that accepts a request and never answers is given up on after this, with a WARN, and the call is retried. Default: 30s.",
        "data_type": "string",
        "required_on_create": false
      },
      {
        "name": "log_level",
        "title": "Log level",
        "description": "The level of this input's lines in splunkd.log (index=_internal sourcetype=splunkd component=ExecProcessor). The service has one process-wide log_level instead. Default: INFO.",
        "data_type": "string",
        "required_on_create": false
      }
    ],
    "settings": [
      {
        "name": "index",
        "title": "Index",
        "description": "Splunk index the events go to. Empty: the index of the app's default/inputs.conf (main).",
        "data_type": "string",
        "required_on_create": false
      }
    ]
  };
  // end:form

  const ROOT_ID = 'kl-setup';
  const CSRF_COOKIE = 'splunkweb_csrf_token_';

  // ---- Splunk Web and splunkd ------------------------------------------

  // webPrefix is the part of this page's path before "/app/": "/en-US",
  // or "/<root_endpoint>/<locale>" behind a proxy. Calls go under it.
  function webPrefix() {
    const path = window.location.pathname;
    const i = path.indexOf('/app/');
    if (i >= 0) {
      return path.slice(0, i);
    }
    return '/' + path.split('/')[1];
  }

  // formKey is the value of Splunk Web's CSRF cookie. Its name ends with a
  // port that differs behind proxies, so any splunkweb_csrf_token_<port>
  // will do; with several, the one of this page's port wins.
  function formKey() {
    const found = {};
    let first = '';
    document.cookie.split(';').forEach(function (c) {
      const eq = c.indexOf('=');
      const name = c.slice(0, eq).trim();
      if (eq > 0 && name.indexOf(CSRF_COOKIE) === 0) {
        found[name.slice(CSRF_COOKIE.length)] = decodeURIComponent(c.slice(eq + 1).trim());
        if (!first) {
          first = name.slice(CSRF_COOKIE.length);
        }
      }
    });
    const port = window.location.port || (window.location.protocol === 'https:' ? '443' : '80');
    if (port in found) {
      return found[port];
    }
    return first ? found[first] : '';
  }

  function SplunkdError(status, text) {
    this.status = status;
    this.message = text;
  }

  // messagesText joins splunkd's {"messages":[{"type","text"}]}.
  function messagesText(data) {
    if (!data || !Array.isArray(data.messages)) {
      return '';
    }
    return data.messages.map(function (m) { return m.text; }).filter(Boolean).join(' ');
  }

  // call sends one request to splunkd. params are form fields (a value may
  // be a list): for GET only paging, search and field terms, never a
  // secret, as they go in the URL.
  async function call(method, path, params) {
    const query = new URLSearchParams({ output_mode: 'json' });
    const headers = { 'X-Requested-With': 'XMLHttpRequest' };
    const init = { method: method, headers: headers, credentials: 'same-origin', cache: 'no-store' };
    if (method === 'GET') {
      Object.keys(params || {}).forEach(function (k) {
        [].concat(params[k]).forEach(function (v) { query.append(k, v); });
      });
    } else {
      headers['X-Splunk-Form-Key'] = formKey();
      headers['Content-Type'] = 'application/x-www-form-urlencoded; charset=UTF-8';
      init.body = new URLSearchParams(params || {}).toString();
    }
    const url = webPrefix() + '/splunkd/__raw/' + path + '?' + query.toString();
    let resp;
    try {
      resp = await fetch(url, init);
    } catch (e) {
      throw new SplunkdError(0, 'Splunk Web did not answer: ' + e.message);
    }
    let data = null;
    try {
      data = await resp.json();
    } catch (e) {
      data = null;
    }
    if (!resp.ok) {
      throw new SplunkdError(resp.status, messagesText(data) || ('HTTP ' + resp.status + ' ' + resp.statusText));
    }
    return data || {};
  }

  function ns(app) {
    return 'servicesNS/nobody/' + encodeURIComponent(app || FORM.app) + '/';
  }

  function passwordsPath() {
    return ns() + 'storage/passwords';
  }

  // accountPath is the entry realm:name: of an account; names never hold a
  // colon (account_pattern), so nothing needs escaping but for the URL.
  function accountPath(name) {
    return passwordsPath() + '/' + encodeURIComponent(FORM.realm + ':' + name + ':');
  }

  function inputsPath(app) {
    return ns(app) + 'data/inputs/' + encodeURIComponent(FORM.scheme);
  }

  function inputPath(input) {
    return inputsPath(input.app) + '/' + encodeURIComponent(input.name);
  }

  // ---- DOM helpers -----------------------------------------------------

  // el builds an element; text goes in as text, never as HTML, so names
  // and messages from splunkd cannot inject markup.
  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      const v = attrs[k];
      if (v === false || v === null || v === undefined) {
        return;
      }
      if (k === 'text') {
        e.textContent = v;
      } else if (k === 'dataset') {
        Object.keys(v).forEach(function (d) { e.dataset[d] = v[d]; });
      } else if (v === true) {
        e.setAttribute(k, '');
      } else {
        e.setAttribute(k, v);
      }
    });
    (children || []).forEach(function (c) {
      if (c) {
        e.appendChild(c);
      }
    });
    return e;
  }

  function byId(id) {
    return document.getElementById(id);
  }

  // field is a labelled control with its help text.
  function field(id, label, control, help) {
    const helpId = id + '-help';
    if (help) {
      control.setAttribute('aria-describedby', helpId);
    }
    return el('div', { class: 'kl-field' }, [
      el('label', { for: id, text: label }),
      control,
      help ? el('p', { id: helpId, class: 'kl-help', text: help }) : null,
    ]);
  }

  function button(text, attrs) {
    return el('button', Object.assign({ type: 'button', class: 'btn', text: text }, attrs || {}));
  }

  // ---- State -----------------------------------------------------------

  const state = {
    accounts: [], // names
    inputs: [], // {name, app, disabled, content}
    editing: null, // input name while the input form edits one
    rotating: null, // account name while the account form rotates one
    done: 0, // finished actions, for people and tests waiting on the page
  };

  function say(id, kind, text) {
    const m = byId(id);
    m.textContent = text;
    m.dataset.state = kind;
    m.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  }

  // run does one action: the page is busy meanwhile, and its message area
  // gets the outcome.
  async function run(msgId, busyText, action) {
    const root = byId(ROOT_ID);
    root.setAttribute('aria-busy', 'true');
    root.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
    say(msgId, 'busy', busyText);
    try {
      const text = await action();
      say(msgId, 'ok', text);
    } catch (e) {
      say(msgId, 'error', e instanceof SplunkdError ? e.message : String(e && e.message ? e.message : e));
    } finally {
      try {
        await refresh();
      } catch (e) {
        say('kl-status', 'error', 'Cannot list the accounts and inputs: ' + (e && e.message));
      }
      root.querySelectorAll('button').forEach(function (b) { b.disabled = false; });
      root.setAttribute('aria-busy', 'false');
      state.done += 1;
      root.dataset.done = String(state.done);
    }
  }

  // ---- AWS accounts ----------------------------------------------------

  async function loadAccounts() {
    // f= asks splunkd for these fields only, so that the list does not
    // bring the stored secrets into the browser; should an answer hold
    // clear_password all the same, it is never read.
    const data = await call('GET', passwordsPath(), { count: '0', search: 'realm=' + FORM.realm, f: ['realm', 'username'] });
    state.accounts = (data.entry || [])
      .filter(function (e) { return e.content && e.content.realm === FORM.realm; })
      .map(function (e) { return e.content.username; })
      .sort();
  }

  // accountParam is the parameter that names a stored account.
  function accountParam() {
    const p = FORM.params.find(function (x) { return x.choices === 'accounts'; });
    return p ? p.name : '';
  }

  function inputsUsing(account) {
    const param = accountParam();
    return state.inputs
      .filter(function (i) { return param && i.content[param] === account; })
      .map(function (i) { return i.name; });
  }

  function renderAccounts() {
    const body = byId('kl-accounts-body');
    body.textContent = '';
    state.accounts.forEach(function (name) {
      body.appendChild(el('tr', {}, [
        el('td', { text: name }),
        el('td', { class: 'kl-actions' }, [
          button('Rotate key', { 'aria-label': 'Rotate the key of ' + name, dataset: { action: 'rotate', name: name } }),
          button('Delete', { class: 'btn kl-danger', 'aria-label': 'Delete the account ' + name, dataset: { action: 'delete-account', name: name } }),
        ]),
      ]));
    });
    byId('kl-accounts-empty').hidden = state.accounts.length > 0;
  }

  function accountFormMode(rotating) {
    state.rotating = rotating;
    const name = byId('kl-account-name');
    name.value = rotating || '';
    name.readOnly = !!rotating;
    byId('kl-account-form-title').textContent = rotating ? 'Rotate the key of ' + rotating : 'Add an AWS account';
    byId('kl-account-save').textContent = rotating ? 'Save new key' : 'Add account';
    byId('kl-account-cancel').hidden = !rotating;
  }

  async function saveAccount() {
    const nameInput = byId('kl-account-name');
    const keyInput = byId('kl-account-key-id');
    const secretInput = byId('kl-account-secret');
    const name = nameInput.value.trim();
    const keyId = keyInput.value.trim();
    const secret = secretInput.value.trim();
    // The secret leaves the page's fields now, whatever happens next.
    secretInput.value = '';
    const scrub = function (text) {
      return secret ? String(text).split(secret).join('********') : String(text);
    };
    await run('kl-account-msg', state.rotating ? 'Saving the new key…' : 'Adding the account…', async function () {
      if (!new RegExp(FORM.account_pattern).test(name)) {
        throw new Error('Account name: letters, digits, ".", "_", "@" and "-", starting with a letter or digit (up to 128).');
      }
      if (!new RegExp(FORM.key_id_pattern).test(keyId)) {
        throw new Error('Access key ID: 16 to 128 upper-case letters and digits (AKIA… or ASIA…).');
      }
      if (!secret || /\s/.test(secret)) {
        throw new Error('Secret access key: required, without spaces. Type it again.');
      }
      // The value eks_logs reads: JSON with key_id and secret_key.
      const password = JSON.stringify({ key_id: keyId, secret_key: secret });
      try {
        if (state.rotating) {
          await call('POST', accountPath(name), { password: password });
        } else {
          await call('POST', passwordsPath(), { name: name, realm: FORM.realm, password: password });
        }
      } catch (e) {
        throw new SplunkdError(e.status, scrub(e.message));
      }
      const rotated = !!state.rotating;
      keyInput.value = '';
      accountFormMode(null);
      if (rotated) {
        return 'New key saved for AWS account ' + name + '. Inputs using it read it when they start: disable and enable them.';
      }
      return 'AWS account ' + name + ' added.';
    });
  }

  async function deleteAccount(name) {
    const users = inputsUsing(name);
    const warn = users.length ? ' Inputs using it (' + users.join(', ') + ') will fail to start.' : '';
    if (!window.confirm('Delete the AWS account ' + name + '?' + warn)) {
      return;
    }
    await run('kl-account-msg', 'Deleting the account…', async function () {
      await call('DELETE', accountPath(name));
      if (state.rotating === name) {
        accountFormMode(null);
      }
      return 'AWS account ' + name + ' deleted.';
    });
  }

  // ---- eks_logs inputs -------------------------------------------------

  async function loadInputs() {
    const data = await call('GET', inputsPath(), { count: '0' });
    state.inputs = (data.entry || []).map(function (e) {
      const content = e.content || {};
      return {
        name: e.name,
        app: (e.acl && e.acl.app) || FORM.app,
        disabled: content.disabled === true || content.disabled === '1' || content.disabled === 'true',
        content: content,
      };
    }).sort(function (a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; });
  }

  function value(content, name) {
    const v = content[name];
    return v === undefined || v === null ? '' : String(v);
  }

  function renderInputs() {
    const body = byId('kl-inputs-body');
    body.textContent = '';
    state.inputs.forEach(function (i) {
      const c = i.content;
      const where = value(c, 'log_group') || (value(c, 'cluster_name') ? 'cluster ' + value(c, 'cluster_name') : '');
      body.appendChild(el('tr', { dataset: { name: i.name } }, [
        el('td', { text: i.name }),
        el('td', { text: value(c, 'aws_region') }),
        el('td', { text: where }),
        el('td', { text: value(c, accountParam()) || 'default credentials' }),
        el('td', { class: 'kl-state', text: i.disabled ? 'Disabled' : 'Enabled' }),
        el('td', { class: 'kl-actions' }, [
          button('Edit', { 'aria-label': 'Edit the input ' + i.name, dataset: { action: 'edit', name: i.name } }),
          i.disabled
            ? button('Enable', { 'aria-label': 'Enable the input ' + i.name, dataset: { action: 'enable', name: i.name } })
            : button('Disable', { 'aria-label': 'Disable the input ' + i.name, dataset: { action: 'disable', name: i.name } }),
          button('Delete', { class: 'btn kl-danger', 'aria-label': 'Delete the input ' + i.name, dataset: { action: 'delete-input', name: i.name } }),
        ]),
      ]));
    });
    byId('kl-inputs-empty').hidden = state.inputs.length > 0;
  }

  function controlId(name) {
    return 'kl-param-' + name;
  }

  // allFields are the scheme's parameters, then splunkd's settings.
  function allFields() {
    return FORM.params.concat(FORM.settings);
  }

  // fillAccountChoices lists the stored accounts, and keeps a value that
  // names one no longer stored, so that editing shows what the input has.
  function fillAccountChoices(select, keep) {
    const current = keep !== undefined ? keep : select.value;
    select.textContent = '';
    select.appendChild(el('option', { value: '', text: 'None: the AWS SDK default credentials of the Splunk host' }));
    state.accounts.forEach(function (a) {
      select.appendChild(el('option', { value: a, text: a }));
    });
    if (current && state.accounts.indexOf(current) < 0) {
      select.appendChild(el('option', { value: current, text: current + ' (not stored)' }));
    }
    select.value = current;
  }

  function renderAccountChoices() {
    FORM.params.forEach(function (p) {
      if (p.choices === 'accounts') {
        fillAccountChoices(byId(controlId(p.name)));
      }
    });
  }

  function inputFormMode(input) {
    state.editing = input ? input.name : null;
    const name = byId('kl-input-name');
    name.value = input ? input.name : '';
    name.readOnly = !!input;
    allFields().forEach(function (p) {
      const c = byId(controlId(p.name));
      const v = input ? value(input.content, p.name) : '';
      if (p.choices === 'accounts') {
        fillAccountChoices(c, v);
      } else {
        c.value = v;
      }
    });
    byId('kl-input-form-title').textContent = input ? 'Edit the input ' + input.name : 'New eks_logs input';
    byId('kl-input-save').textContent = input ? 'Save changes' : 'Create input';
    byId('kl-input-cancel').hidden = !input;
  }

  async function saveInput() {
    const name = byId('kl-input-name').value.trim();
    const editing = state.editing;
    const params = {};
    allFields().forEach(function (p) {
      const v = byId(controlId(p.name)).value.trim();
      // On create, unset fields are left out. On edit every parameter is
      // sent, empty ones too, so that clearing a field clears it; splunkd's
      // own settings are only sent with a value.
      if (v !== '' || (editing && FORM.params.indexOf(p) >= 0)) {
        params[p.name] = v;
      }
    });
    await run('kl-input-msg', editing ? 'Saving the input…' : 'Creating the input…', async function () {
      if (editing) {
        const input = state.inputs.find(function (i) { return i.name === editing; }) || { name: editing };
        await call('POST', inputPath(input), params);
        inputFormMode(null);
        return 'Input ' + editing + ' saved.';
      }
      if (!name) {
        throw new Error('Input name: required.');
      }
      params.name = name;
      await call('POST', inputsPath(), params);
      inputFormMode(null);
      return 'Input ' + name + ' created. It is enabled: eks_logs starts reading now.';
    });
  }

  function findInput(name) {
    return state.inputs.find(function (i) { return i.name === name; }) || { name: name };
  }

  async function setInputEnabled(name, enable) {
    await run('kl-input-msg', enable ? 'Enabling…' : 'Disabling…', async function () {
      await call('POST', inputPath(findInput(name)) + (enable ? '/enable' : '/disable'), {});
      return 'Input ' + name + (enable ? ' enabled.' : ' disabled.');
    });
  }

  async function deleteInput(name) {
    if (!window.confirm('Delete the eks_logs input ' + name + '? Its checkpoint stays on disk: an input of the same name resumes from it.')) {
      return;
    }
    await run('kl-input-msg', 'Deleting the input…', async function () {
      await call('DELETE', inputPath(findInput(name)));
      if (state.editing === name) {
        inputFormMode(null);
      }
      return 'Input ' + name + ' deleted.';
    });
  }

  // ---- Finish ----------------------------------------------------------

  async function finish() {
    await run('kl-finish-msg', 'Marking the app as configured…', async function () {
      await call('POST', 'servicesNS/nobody/system/apps/local/' + encodeURIComponent(FORM.app), { configured: '1' });
      return 'Setup is complete. Come back to this page from the app\u2019s menu to change accounts and inputs.';
    });
  }

  // ---- Page ------------------------------------------------------------

  async function refresh() {
    // The inputs first: the account list warns about inputs using one.
    await loadInputs();
    await loadAccounts();
    renderAccounts();
    renderAccountChoices();
    renderInputs();
  }

  function build(root) {
    const nameHelp = 'Letters, digits, ".", "_", "@" and "-". Inputs refer to it as aws_account.';
    const accounts = el('section', { class: 'kl-section', 'aria-labelledby': 'kl-accounts-title' }, [
      el('h2', { id: 'kl-accounts-title', text: 'AWS accounts' }),
      el('p', { text: 'Access keys for eks_logs, kept encrypted by splunkd (storage/passwords of the ' + FORM.app +
        ' app, realm ' + FORM.realm + '). A stored key is never shown again: rotate it to replace it. ' +
        'Hosts with an instance or pod role need no account.' }),
      el('table', { id: 'kl-accounts', class: 'table kl-table' }, [
        el('caption', { text: 'Stored AWS accounts' }),
        el('thead', {}, [el('tr', {}, [el('th', { scope: 'col', text: 'Account' }), el('th', { scope: 'col', text: 'Actions' })])]),
        el('tbody', { id: 'kl-accounts-body' }),
      ]),
      el('p', { id: 'kl-accounts-empty', class: 'kl-empty', text: 'No AWS account stored yet.' }),
      el('div', { id: 'kl-account-form', class: 'kl-form' }, [
        el('h3', { id: 'kl-account-form-title', text: 'Add an AWS account' }),
        field('kl-account-name', 'Account name', el('input', { id: 'kl-account-name', type: 'text', maxlength: '128', autocomplete: 'off', spellcheck: 'false' }), nameHelp),
        field('kl-account-key-id', 'Access key ID', el('input', { id: 'kl-account-key-id', type: 'text', maxlength: '128', autocomplete: 'off', spellcheck: 'false' }), 'AKIA… for a user\u2019s key.'),
        field('kl-account-secret', 'Secret access key', el('input', { id: 'kl-account-secret', type: 'password', autocomplete: 'new-password', spellcheck: 'false' }), 'Sent once to splunkd, then cleared from this page.'),
        el('div', { class: 'kl-buttons' }, [
          button('Add account', { id: 'kl-account-save', class: 'btn btn-primary' }),
          button('Cancel', { id: 'kl-account-cancel', hidden: true }),
        ]),
        el('p', { id: 'kl-account-msg', class: 'kl-msg', role: 'status', 'aria-live': 'polite' }),
      ]),
    ]);

    const controls = allFields().map(function (p) {
      const id = controlId(p.name);
      let control;
      if (p.choices === 'accounts') {
        control = el('select', { id: id, name: p.name });
      } else {
        control = el('input', {
          id: id, name: p.name, type: 'text', autocomplete: 'off', spellcheck: 'false',
          inputmode: p.data_type === 'number' ? 'decimal' : null,
        });
      }
      const label = p.title + (p.required_on_create ? ' (required)' : '') + ' \u2014 ' + p.name;
      return field(id, label, control, p.description);
    });
    const inputs = el('section', { class: 'kl-section', 'aria-labelledby': 'kl-inputs-title' }, [
      el('h2', { id: 'kl-inputs-title', text: 'eks_logs inputs' }),
      el('p', { text: 'One input per EKS cluster log group. splunkd checks every save with eks_logs and shows its message here.' }),
      el('table', { id: 'kl-inputs', class: 'table kl-table' }, [
        el('caption', { text: 'eks_logs inputs' }),
        el('thead', {}, [el('tr', {}, ['Name', 'Region', 'Log group', 'AWS account', 'State', 'Actions'].map(function (h) {
          return el('th', { scope: 'col', text: h });
        }))]),
        el('tbody', { id: 'kl-inputs-body' }),
      ]),
      el('p', { id: 'kl-inputs-empty', class: 'kl-empty', text: 'No eks_logs input yet.' }),
      el('div', { id: 'kl-input-form', class: 'kl-form' }, [
        el('h3', { id: 'kl-input-form-title', text: 'New eks_logs input' }),
        field('kl-input-name', 'Input name (required)', el('input', { id: 'kl-input-name', type: 'text', maxlength: '100', autocomplete: 'off', spellcheck: 'false' }),
          'The stanza eks_logs://<name>, e.g. the cluster\u2019s name.'),
      ].concat(controls).concat([
        el('div', { class: 'kl-buttons' }, [
          button('Create input', { id: 'kl-input-save', class: 'btn btn-primary' }),
          button('Cancel', { id: 'kl-input-cancel', hidden: true }),
        ]),
        el('p', { id: 'kl-input-msg', class: 'kl-msg', role: 'status', 'aria-live': 'polite' }),
      ])),
    ]);

    const done = el('section', { class: 'kl-section', 'aria-labelledby': 'kl-finish-title' }, [
      el('h2', { id: 'kl-finish-title', text: 'Finish' }),
      el('p', { text: 'Marks the app as configured, so that Splunk Web stops opening this page first. It stays in the app\u2019s menu.' }),
      el('div', { class: 'kl-buttons' }, [button('Finish setup', { id: 'kl-finish', class: 'btn btn-primary' })]),
      el('p', { id: 'kl-finish-msg', class: 'kl-msg', role: 'status', 'aria-live': 'polite' }),
    ]);

    root.textContent = '';
    root.appendChild(el('p', { id: 'kl-status', class: 'kl-msg', role: 'status', 'aria-live': 'polite' }));
    root.appendChild(accounts);
    root.appendChild(inputs);
    root.appendChild(done);

    root.addEventListener('click', function (ev) {
      const b = ev.target.closest('button');
      if (!b || b.disabled) {
        return;
      }
      const name = b.dataset.name;
      switch (b.id || b.dataset.action) {
        case 'kl-account-save': saveAccount(); break;
        case 'kl-account-cancel':
          byId('kl-account-secret').value = '';
          byId('kl-account-key-id').value = '';
          accountFormMode(null);
          break;
        case 'kl-input-save': saveInput(); break;
        case 'kl-input-cancel': inputFormMode(null); break;
        case 'kl-finish': finish(); break;
        case 'rotate':
          accountFormMode(name);
          byId('kl-account-key-id').focus();
          break;
        case 'delete-account': deleteAccount(name); break;
        case 'edit':
          inputFormMode(findInput(name));
          byId('kl-input-form').scrollIntoView();
          break;
        case 'enable': setInputEnabled(name, true); break;
        case 'disable': setInputEnabled(name, false); break;
        case 'delete-input': deleteInput(name); break;
      }
    });
  }

  function start(root) {
    build(root);
    run('kl-status', 'Loading…', async function () { return ''; });
  }

  // Simple XML renders the <html> panel that holds #kl-setup when it likes,
  // before or after this script runs: wait for it.
  function whenReady() {
    const root = byId(ROOT_ID);
    if (root) {
      start(root);
      return;
    }
    const observer = new MutationObserver(function () {
      const r = byId(ROOT_ID);
      if (r) {
        observer.disconnect();
        start(r);
      }
    });
    observer.observe(document.documentElement, { childList: true, subtree: true });
  }

  whenReady();
})();
