// Behaviour every page may use, declared in the markup: no inline scripts or handlers (the Content-Security-Policy
// allows scripts from the app's own files only).
(function () {
    'use strict';

    // <input data-enter-clicks="id">: Enter in the field clicks that button rather than the form's default one (the new
    // user's rollout search: Enter finds, where without script it would create the user).
    document.querySelectorAll('[data-enter-clicks]').forEach(function (input) {
        input.addEventListener('keydown', function (event) {
            var button = document.getElementById(input.getAttribute('data-enter-clicks'));
            if (event.key === 'Enter' && button) {
                event.preventDefault();
                button.click();
            }
        });
    });

    // <input data-select-on-click>: a click selects the whole value (a link to copy).
    document.querySelectorAll('[data-select-on-click]').forEach(function (input) {
        input.addEventListener('click', function () { input.select(); });
    });

    // A refused form: its summary of reasons (autofocus, the ErrorSummaryTagHelper) takes the focus, so a screen reader
    // reads the reasons and the keyboard goes on to their links. Here too for a browser that ignores autofocus on it.
    var summary = document.querySelector('[data-error-summary]');
    if (summary) {
        if (document.activeElement !== summary) {
            summary.focus();
        }
    } else if (window.location.hash.length > 1) {
        // A page answering a form post whose action names a fragment (the import page's Check posts to ".../check#check"),
        // or a redirect to one (a moved option's button): Chromium does not scroll to the fragment of a POST's answer, so
        // the reader would land at the top. A target that can take the focus (the Check card, a card's message, a
        // button) takes it, so the keyboard and a screen reader go on from there; focusing scrolls it into view.
        var target = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
        if (target && target.matches('[tabindex], button:not([disabled]), a[href], input:not([disabled]), select:not([disabled]), textarea:not([disabled])')) {
            if (document.activeElement !== target) {
                target.focus();
            }
        } else if (target && target.getBoundingClientRect().top > window.innerHeight / 2) {
            target.scrollIntoView();
        }
    }

    // No confirm() dialogs: a step that deletes or undoes data asks on a page of its own (Discard, Revert), which works
    // without script too.

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
