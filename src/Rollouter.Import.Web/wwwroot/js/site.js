// Behaviour every page may use, declared in the markup: no inline scripts or handlers (the Content-Security-Policy
// allows scripts from the app's own files only).
(function () {
    'use strict';

    // <input data-select-on-click>: a click selects the whole value (a link to copy).
    document.querySelectorAll('[data-select-on-click]').forEach(function (input) {
        input.addEventListener('click', function () { input.select(); });
    });

    // <a data-history-back href="…">: back to the previous page; without a history, the link's own address.
    document.querySelectorAll('[data-history-back]').forEach(function (link) {
        link.addEventListener('click', function (event) {
            if (window.history.length > 1) {
                event.preventDefault();
                window.history.back();
            }
        });
    });
})();
