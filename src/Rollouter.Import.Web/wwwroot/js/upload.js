// Step 1 of the import (Features/Imports/New.cshtml).
// - A file dropped onto the form goes into its file input.
// - Upload sends the same form with XMLHttpRequest, so the page can say how far the file is ("Uploading big.csv
//   (20.0 MB)… 45 %") and a second click cannot start it again; the server's answer is then followed as the form post
//   would: its redirect is opened, a refusal (the page with its summary of reasons) is shown in place.
// Without JavaScript the file input and the ordinary form post work as always.
(function () {
    'use strict';

    // As the server writes sizes (ByteSizes.Format): "312 bytes", "12.5 KB", "20.0 MB".
    function formatSize(bytes) {
        var units = [['GB', 1024 * 1024 * 1024], ['MB', 1024 * 1024], ['KB', 1024]];
        for (var i = 0; i < units.length; i++) {
            if (bytes >= units[i][1]) {
                return (bytes / units[i][1]).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + ' ' + units[i][0];
            }
        }

        return bytes + (bytes === 1 ? ' byte' : ' bytes');
    }

    function setUpDrop(zone, input) {
        // The hint is shown only where dropping works.
        var label = zone.querySelector('[data-drop-label]');
        if (typeof DataTransfer === 'undefined') {
            return;
        }

        if (label) {
            label.hidden = false;
        }

        function dragging(on) {
            zone.classList.toggle('drop-active', on);
        }

        ['dragenter', 'dragover'].forEach(function (type) {
            zone.addEventListener(type, function (event) {
                if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types || [], 'Files') >= 0) {
                    event.preventDefault();
                    event.dataTransfer.dropEffect = 'copy';
                    dragging(true);
                }
            });
        });

        zone.addEventListener('dragleave', function (event) {
            if (!zone.contains(event.relatedTarget)) {
                dragging(false);
            }
        });

        zone.addEventListener('drop', function (event) {
            dragging(false);
            var files = event.dataTransfer && event.dataTransfer.files;
            if (!files || files.length === 0) {
                return;
            }

            event.preventDefault();
            // One file per import: the first one dropped.
            var chosen = new DataTransfer();
            chosen.items.add(files[0]);
            input.files = chosen.files;
            input.dispatchEvent(new Event('change', { bubbles: true }));
        });

        input.addEventListener('change', function () {
            if (label) {
                label.textContent = input.files && input.files.length > 0
                    ? 'Chosen: ' + input.files[0].name
                    : label.dataset.dropLabel;
            }
        });
    }

    function setUpProgress(form, input) {
        var button = form.querySelector('[data-upload-button]');
        var box = form.querySelector('[data-upload-progress]');
        if (!button || !box || typeof XMLHttpRequest === 'undefined' || typeof FormData === 'undefined' || typeof DOMParser === 'undefined') {
            return;
        }

        var bar = box.querySelector('[role=progressbar]');
        var fill = box.querySelector('[data-upload-bar]');
        var text = box.querySelector('[data-upload-text]');
        var live = box.querySelector('[data-upload-live]');
        var busy = false;

        function show(percent, what) {
            bar.setAttribute('aria-valuenow', String(percent));
            bar.setAttribute('aria-valuetext', what);
            fill.style.width = percent + '%';
            text.textContent = what;
        }

        function stop(message) {
            busy = false;
            button.disabled = false;
            text.textContent = message;
            live.textContent = message;
            box.classList.add('text-danger');
        }

        // A page the browser keeps (Back after the import's page opened) comes back as it was left: ready again.
        window.addEventListener('pageshow', function (event) {
            if (event.persisted) {
                busy = false;
                button.disabled = false;
                box.hidden = true;
            }
        });

        form.addEventListener('submit', function (event) {
            if (busy) {
                event.preventDefault();
                return;
            }

            var file = input.files && input.files[0];
            if (!file) {
                return;
            }

            event.preventDefault();
            busy = true;
            button.disabled = true;
            box.hidden = false;
            box.classList.remove('text-danger');
            var name = file.name + ' (' + formatSize(file.size) + ')';
            show(0, 'Uploading ' + name + '… 0 %');
            live.textContent = 'Uploading ' + name + '…';
            var lastSaid = Date.now();

            // The form's fields in its order: the antiforgery token first, as the server reads it before the file.
            var data = new FormData(form);
            var request = new XMLHttpRequest();
            request.open('POST', form.action);
            request.upload.addEventListener('progress', function (progress) {
                if (!progress.lengthComputable || progress.total === 0) {
                    return;
                }

                var percent = Math.min(100, Math.floor(100 * progress.loaded / progress.total));
                show(percent, 'Uploading ' + name + '… ' + percent + ' %');
                // A screen reader hears the figure every 10 seconds, not on every step (as the import's progress).
                if (Date.now() - lastSaid >= 10000) {
                    lastSaid = Date.now();
                    live.textContent = 'Uploading ' + name + ': ' + percent + ' %';
                }
            });
            request.upload.addEventListener('load', function () {
                show(100, 'Uploaded ' + name + '. The file is being read…');
                live.textContent = 'Uploaded ' + name + '. The file is being read…';
            });
            request.addEventListener('load', function () {
                answered(request);
            });
            request.addEventListener('error', function () {
                stop('The upload of ' + name + ' broke off: check the connection and upload the file again.');
            });
            request.addEventListener('abort', function () {
                stop('The upload of ' + name + ' was stopped: upload the file again.');
            });
            request.send(data);
        });

        function answered(request) {
            // Redirected (to the new import's page, or to the sign-in page): open that page, as the form post would.
            var url = request.responseURL || '';
            if (url && url.split('#')[0] !== form.action.split('#')[0]) {
                window.location.assign(url);
                return;
            }

            // The form's own answer: the upload page with the reasons it was refused (or an error page). Shown in place of
            // this page's content, its summary focused, as after a form post (decisions 0050, 0053).
            var type = request.getResponseHeader('Content-Type') || '';
            var answer = type.indexOf('text/html') === 0 ? new DOMParser().parseFromString(request.responseText, 'text/html') : null;
            var content = answer && answer.querySelector('main');
            var main = document.querySelector('main');
            if (!content || !main) {
                stop('The upload was refused (' + request.status + (request.statusText ? ' ' + request.statusText : '') + '): upload the file again, or ask your administrator.');
                return;
            }

            document.title = answer.title;
            main.replaceChildren.apply(main, Array.prototype.map.call(content.childNodes, function (node) {
                return document.importNode(node, true);
            }));
            window.scrollTo(0, 0);
            setUp(main);
            var summary = main.querySelector('[data-error-summary]');
            (summary || main).focus();
        }
    }

    function setUp(root) {
        var zone = root.querySelector('[data-drop-zone]');
        var input = zone && zone.querySelector('input[type=file]');
        if (!zone || !input) {
            return;
        }

        setUpDrop(zone, input);
        setUpProgress(zone, input);
    }

    setUp(document);
})();
