// The import's page (Features/Imports/Details.cshtml): the mapping form's per-column options, and the progress bar.
(function () {
    'use strict';

    // Lookup only for Assignee and Client User, "create option" for selections, separator for multi-selections.
    function update(select) {
        var option = select.options[select.selectedIndex];
        var kind = option ? option.dataset.kind : 'none';
        var row = select.closest('tr');
        row.querySelector('.mapping-user').hidden = kind !== 'user';
        row.querySelector('.mapping-select').hidden = kind !== 'select' && kind !== 'multi';
        row.querySelector('.mapping-multi').hidden = kind !== 'multi';
    }

    document.querySelectorAll('.mapping-target').forEach(function (select) {
        update(select);
        select.addEventListener('change', function () { update(select); });
    });

    // While the import runs: poll its progress (data-progress-url) every second, reload when it is done.
    var card = document.querySelector('[data-progress-url]');
    if (!card) {
        return;
    }

    var bar = document.getElementById('import-progress');
    var text = document.getElementById('import-progress-text');
    function poll() {
        fetch(card.dataset.progressUrl, { headers: { 'Accept': 'application/json' }, cache: 'no-store' })
            .then(function (response) { return response.json(); })
            .then(function (progress) {
                if (progress.done) {
                    window.location.reload();
                    return;
                }

                var total = Math.max(progress.total, 1);
                var percent = Math.round(100 * (progress.checked + progress.written) / (2 * total));
                bar.style.width = percent + '%';
                bar.textContent = percent + '%';
                text.textContent = progress.checked + ' of ' + progress.total + ' rows checked, ' + progress.written + ' written' +
                    (progress.attempt > 1 ? ' (attempt ' + progress.attempt + ')' : '');
                setTimeout(poll, 1000);
            })
            .catch(function () { setTimeout(poll, 1000); });
    }

    setTimeout(poll, 1000);
})();
