// Check and Approve post the mapping form, so a change made on the page is saved and used, never dropped. As soon as
// the form differs from what was saved, the summary says so (#mapping-changed), next to the buttons.
(function () {
    'use strict';
    var form = document.getElementById('mapping-form');
    var notice = document.getElementById('mapping-changed');
    if (!form || !notice) {
        return;
    }

    function state() {
        return new URLSearchParams(new FormData(form)).toString();
    }

    var saved = state();
    function update() {
        notice.hidden = state() === saved;
    }

    form.addEventListener('change', update);
    form.addEventListener('input', update);
    update();
})();
