// The import's page (Features/Imports/Details.cshtml): the mapping form's per-column options, the notice that the
// form differs from the saved mapping, the check of a value searched in a column's list of choices, and the progress bar.
(function () {
    'use strict';

    // What a form would post, as FormData lists it (in order, disabled and unchecked controls left out): as it is now,
    // or (defaults) as the server rendered it.
    function formState(form, defaults) {
        var values = new URLSearchParams();
        Array.prototype.forEach.call(form.elements, function (control) {
            if (!control.name || control.matches(':disabled')) {
                return;
            }

            if (control instanceof HTMLSelectElement) {
                var options = Array.prototype.slice.call(control.options);
                var chosen = options.filter(function (o) { return defaults ? o.defaultSelected : o.selected; });
                if (defaults && !control.multiple) {
                    // A single choice shows its last option marked selected, else its first one that can be chosen.
                    chosen = chosen.length > 0 ? [chosen[chosen.length - 1]]
                        : options.filter(function (o) { return !o.disabled; }).slice(0, 1);
                }

                chosen.forEach(function (o) { values.append(control.name, o.value); });
            } else if (control instanceof HTMLTextAreaElement) {
                values.append(control.name, defaults ? control.defaultValue : control.value);
            } else if (control instanceof HTMLInputElement) {
                if (control.type === 'checkbox' || control.type === 'radio') {
                    if (defaults ? control.defaultChecked : control.checked) {
                        values.append(control.name, control.value);
                    }
                } else if (['submit', 'button', 'reset', 'image', 'file'].indexOf(control.type) < 0) {
                    values.append(control.name, defaults ? control.defaultValue : control.value);
                }
            }
        });
        return values.toString();
    }

    // Many custom fields: "Another custom field…" takes the field from a box that searches the page's one list of them
    // (#mapping-fields, with each field's kind), read once.
    var fieldKinds = null;
    function kindOfField(name) {
        if (!fieldKinds) {
            fieldKinds = {};
            var list = document.getElementById('mapping-fields');
            if (list) {
                Array.prototype.forEach.call(list.options, function (o) { fieldKinds[o.value.trim().toLowerCase()] = o.dataset.kind; });
            }
        }
        return fieldKinds[name.trim().toLowerCase()] || 'none';
    }

    // Lookup only for Assignee and Client User, "create option" for selections, separator for multi-selections; the box
    // of "Another custom field…" only when that is chosen. A column is imported when it has a field: "Another custom
    // field…" with an empty box is "Do not import" for the server, so the filter counts it among the columns not imported
    // (and does not hide the row, with its box, when it is chosen there).
    function update(select) {
        var option = select.options[select.selectedIndex];
        var kind = option ? option.dataset.kind : 'none';
        var mapped = !!option && option.value !== '';
        var row = select.closest('tr');
        var fieldBox = row.querySelector('.mapping-field');
        if (fieldBox) {
            fieldBox.hidden = kind !== 'other';
            if (kind === 'other') {
                var typed = fieldBox.querySelector('input').value;
                mapped = typed.trim() !== '';
                kind = kindOfField(typed);
            }
        }
        row.querySelector('.mapping-user').hidden = kind !== 'user';
        row.querySelector('.mapping-select').hidden = kind !== 'select' && kind !== 'multi';
        row.querySelector('.mapping-multi').hidden = kind !== 'multi';
        row.dataset.mapped = mapped ? 'true' : 'false';
    }

    document.querySelectorAll('.mapping-target').forEach(function (select) {
        update(select);
        select.addEventListener('change', function () { update(select); filterColumns(); });
        var fieldBox = select.closest('tr').querySelector('.mapping-field input');
        if (fieldBox) {
            fieldBox.addEventListener('input', function () { update(select); });
        }
    });

    // Find a column by its header, or show only the columns imported or not (shown with JavaScript only: without it every
    // column is listed, as before).
    var filter = document.querySelector('[data-testid="mapping-filter"]');
    var mappingRows = Array.prototype.slice.call(document.querySelectorAll('[data-testid="mapping"] tbody tr[data-letter]'));
    function filterColumns() {
        if (!filter) {
            return;
        }

        var find = filter.querySelector('[data-mapping-find]').value.trim().toLowerCase();
        var show = filter.querySelector('[data-mapping-show]').value;
        var shown = 0;
        mappingRows.forEach(function (row) {
            var header = (row.children[1] ? row.children[1].textContent : '').toLowerCase();
            var letter = row.dataset.letter.toLowerCase();
            var mapped = row.dataset.mapped === 'true';
            var visible = (find === '' || header.indexOf(find) >= 0 || letter === find)
                && (show === 'all' || (show === 'mapped') === mapped);
            row.hidden = !visible;
            if (visible) {
                shown++;
            }
        });
        filter.querySelector('[data-mapping-shown]').textContent = shown + ' of ' + mappingRows.length + ' columns shown';
    }

    if (filter && mappingRows.length > 0) {
        filter.hidden = false;
        filter.querySelector('[data-mapping-find]').addEventListener('input', filterColumns);
        filter.querySelector('[data-mapping-show]').addEventListener('change', filterColumns);
        filterColumns();
    }

    // The CSV delimiter of one's own (File settings) only with "Other".
    var delimiter = document.querySelector('.delimiter-choice');
    var delimiterOther = document.querySelector('.delimiter-other');
    if (delimiter && delimiterOther) {
        var showDelimiter = function () { delimiterOther.hidden = delimiter.value !== 'other'; };
        showDelimiter();
        delimiter.addEventListener('change', showDelimiter);
    }

    // A multi-selection's separator: the box for a separator of one's own only with "Other".
    document.querySelectorAll('.separator-choice').forEach(function (select) {
        var other = select.closest('.mapping-multi').querySelector('.separator-other');
        var show = function () { other.hidden = select.value !== 'other'; };
        show();
        select.addEventListener('change', show);
    });

    // Check and Approve submit the mapping form, so a change made on the page is saved and used, never dropped. As soon
    // as the form differs from what was saved, the summary says so (#mapping-changed), next to the buttons. What was
    // saved is what the server wrote into the page (each control's default: selected, checked and value attributes),
    // not what the form holds when the script starts: after Back, the browser puts the choices made before (and never
    // saved) back into the form, and the notice must show for them too.
    var mappingForm = document.getElementById('mapping-form');
    var mappingChanged = document.getElementById('mapping-changed');
    if (mappingForm && mappingChanged) {
        var compare = function () { mappingChanged.hidden = formState(mappingForm, false) === formState(mappingForm, true); };
        mappingForm.addEventListener('change', compare);
        mappingForm.addEventListener('input', compare);
        compare();
        // A page restored from the back-forward cache keeps its script's state; compare again all the same.
        window.addEventListener('pageshow', compare);
    }

    // A failing cell of a column with many choices (a selection of hundreds of options) is corrected in a box that
    // searches the column's one list (<datalist>, once a page): a value that is not in the list is refused before it is
    // posted. Each list is read once, when a box of its column is first used.
    var choiceSets = {};
    function choicesOf(id) {
        if (!choiceSets[id]) {
            var list = document.getElementById(id);
            choiceSets[id] = new Set(list ? Array.prototype.map.call(list.options, function (o) { return o.value.trim().toLowerCase(); }) : []);
        }
        return choiceSets[id];
    }

    document.addEventListener('input', function (event) {
        var input = event.target;
        if (!(input instanceof HTMLInputElement) || !input.dataset.choices) {
            return;
        }

        var value = input.value.trim().toLowerCase();
        input.setCustomValidity(value === '' || choicesOf(input.dataset.choices).has(value)
            ? '' : 'Choose one of the values in the list.');
    });

    // A message the page showed while the import ran (Approve's "… it was saved and used") is shown again once the page
    // has reloaded itself at the end of the run: the server shows a message once only, and the reload comes within a
    // second. Kept for this tab and this import only, and shown once.
    var keptMessageKey = 'rollouter:kept-message:' + window.location.pathname;
    function keptMessage() {
        try {
            var kept = window.sessionStorage.getItem(keptMessageKey);
            window.sessionStorage.removeItem(keptMessageKey);
            return kept;
        } catch (e) {
            return null;
        }
    }

    var kept = keptMessage();
    if (kept && !document.querySelector('[data-testid="page-message"]')) {
        var after = document.querySelector('[data-testid="review-notice"]') || document.querySelector('[data-testid="status-explanation"]');
        if (after) {
            var shown = document.createElement('div');
            shown.className = 'alert alert-success';
            shown.setAttribute('role', 'status');
            shown.setAttribute('data-testid', 'page-message');
            shown.textContent = kept;
            after.insertAdjacentElement('afterend', shown);
        }
    }

    function keepMessage() {
        var message = document.querySelector('[data-testid="page-message"]');
        if (!message || !card.hasAttribute('data-keep-message')) {
            return;
        }

        try {
            window.sessionStorage.setItem(keptMessageKey, message.textContent.trim());
        } catch (e) {
            // No storage (a private window's limits): the message is not shown again.
        }
    }

    // The page reloaded itself at the end of a run or revert: the focus goes to how it ended (Completed, Failed,
    // Reverted, the refused revert), so a screen reader reads it and the keyboard goes on from there.
    var outcomeKey = 'rollouter:focus-outcome:' + window.location.pathname;
    var focusOutcome = false;
    try {
        focusOutcome = window.sessionStorage.getItem(outcomeKey) !== null;
        window.sessionStorage.removeItem(outcomeKey);
    } catch (e) {
        // No storage: the focus stays where the browser puts it.
    }

    // An action's redirect that names the page's message (#page-message, decision 0175) to a page without it: the action
    // ended before the page was asked for (a small import's revert), and how it ended is the message.
    if (window.location.hash === '#page-message' && !document.getElementById('page-message')) {
        focusOutcome = true;
    }

    var outcome = document.querySelector('[data-outcome]');
    if (focusOutcome && outcome && !document.querySelector('[data-error-summary]')) {
        outcome.focus();
    }

    function keepOutcomeFocus() {
        try {
            window.sessionStorage.setItem(outcomeKey, '1');
        } catch (e) {
            // No storage: the focus is not moved after the reload.
        }
    }

    // Approve: how the run ends takes the focus also when it ended before the page it leads to was shown (a small file
    // on a busy server), when no reload of the page follows to move it there.
    document.addEventListener('submit', function (event) {
        var submitter = event.submitter;
        var action = (submitter && submitter.getAttribute('formaction')) || event.target.getAttribute('action') || '';
        if (/\/approve$/.test(action)) {
            keepOutcomeFocus();
        }
    });

    // While the import runs or is reverted: poll its progress (data-progress-url) every second, reload when it is done;
    // stop, saying why, once the answer says this page cannot follow it any more.
    var card = document.querySelector('[data-progress-url]');
    if (!card) {
        return;
    }

    var progressbar = card.querySelector('[role="progressbar"]');
    var bar = document.getElementById('import-progress');
    var text = document.getElementById('import-progress-text');
    // A screen reader hears the figures every 10 seconds (a polite live region), not on every poll.
    var live = document.getElementById('import-progress-live');
    var announced = 0;
    function show(share, figures) {
        bar.style.width = share + '%';
        bar.textContent = share + '%';
        text.textContent = figures;
        if (progressbar) {
            progressbar.setAttribute('aria-valuenow', String(share));
            progressbar.setAttribute('aria-valuetext', figures);
        }

        var now = Date.now();
        if (live && now - announced >= 10000) {
            announced = now;
            live.textContent = figures;
        }
    }
    // Counts grouped as the server writes them ("25,000"), whatever the browser's language.
    function n(count) { return Number(count).toLocaleString('en-US'); }
    // "1 row", "25,000 rows": as ImportNumbers.Count writes them on the server.
    function count(number, one, many) { return n(number) + ' ' + (Number(number) === 1 ? one : many); }
    // The live region also says, visibly, when the bar cannot follow the import: for good (signed out, no access any
    // more: stop(), with a link to reload the page) or for now (no connection, the server busy: retrying).
    function notice(message, reload) {
        if (!live) {
            return;
        }

        live.classList.remove('visually-hidden');
        live.classList.add('alert', 'alert-warning', 'mt-2', 'mb-0');
        live.setAttribute('data-state', reload ? 'stopped' : 'retrying');
        live.textContent = message;
        if (reload) {
            var link = document.createElement('a');
            link.href = window.location.pathname + window.location.search;
            link.className = 'alert-link';
            link.textContent = 'reload the page';
            live.appendChild(link);
            live.appendChild(document.createTextNode('.'));
        }
    }

    function clearNotice() {
        if (live && live.hasAttribute('data-state')) {
            live.removeAttribute('data-state');
            live.classList.remove('alert', 'alert-warning', 'mt-2', 'mb-0');
            live.classList.add('visually-hidden');
            live.textContent = '';
            announced = 0;
        }
    }

    // Signed out (in another tab, or the session ended), demoted or taken off the rollout, the import gone: every later
    // poll would get the same answer, so polling stops and the page says why.
    function stop() {
        bar.classList.remove('progress-bar-animated');
        notice('You were signed out or no longer have access to this import; ', true);
    }

    // No answer (the network, a server restarting) or the server busy (5xx, 429): tried again later and later (2, 4, 8,
    // 16, then every 30 seconds), saying so from the third failure in a row on.
    var failures = 0;
    function retry(why) {
        failures++;
        var delay = Math.min(1000 * Math.pow(2, failures), 30000);
        if (failures >= 3) {
            notice(why + ', retrying in ' + (delay / 1000) + ' seconds…', false);
        }

        setTimeout(poll, delay);
    }

    function poll() {
        // redirect: 'manual': a redirect (to the sign-in page) is not followed but seen as one (an opaque redirect).
        fetch(card.dataset.progressUrl, {
            headers: { 'Accept': 'application/json' }, cache: 'no-store', credentials: 'same-origin', redirect: 'manual',
        }).then(function (response) {
            if (response.type === 'opaqueredirect' || response.redirected
                || [401, 403, 404, 410].indexOf(response.status) >= 0) {
                stop();
                return;
            }

            if (!response.ok) {
                retry('The server is busy');
                return;
            }

            // Not JSON (a sign-in or error page, a proxy's page): not this import's progress.
            if ((response.headers.get('Content-Type') || '').indexOf('json') < 0) {
                stop();
                return;
            }

            return response.json().then(followed, function () { retry('Connection lost'); });
        }, function () {
            retry('Connection lost');
        });
    }

    // An answer with the progress: the bar moves (or the page reloads once the run has ended).
    function followed(progress) {
        failures = 0;
        clearNotice();
        if (progress.done) {
            keepMessage();
            keepOutcomeFocus();
            window.location.reload();
            return;
        }

        var total = Math.max(progress.total, 1);
        if (progress.reverting) {
            show(Math.round(100 * progress.reverted / total), progress.total > 0
                ? n(progress.reverted) + ' of ' + count(progress.total, 'client', 'clients') + ' reverted'
                : 'The import is being reverted…');
            setTimeout(poll, 1000);
            return;
        }

        // Once a row failed nothing is written: what is left is checking the rest.
        var percent = progress.failed > 0
            ? Math.round(100 * progress.checked / total)
            : Math.round(100 * (progress.checked + progress.written) / (2 * total));
        show(percent, (progress.failed > 0
            ? n(progress.checked) + ' of ' + count(progress.total, 'row', 'rows') + ' checked, ' + n(progress.failed) + ' failed; nothing will be written'
            : n(progress.checked) + ' of ' + count(progress.total, 'row', 'rows') + ' checked, ' + n(progress.written) + ' written') +
            (progress.attempt > 1 ? ' (attempt ' + progress.attempt + ')' : ''));
        setTimeout(poll, 1000);
    }

    setTimeout(poll, 1000);
})();
