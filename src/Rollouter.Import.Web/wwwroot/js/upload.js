// Step 1 of the import (Features/Imports/New.cshtml): a file dropped onto the form goes into its file input, so the
// upload stays the ordinary form post. Without JavaScript (or drag and drop) the file input works as always.
(function () {
    'use strict';

    var zone = document.querySelector('[data-drop-zone]');
    var input = zone && zone.querySelector('input[type=file]');
    if (!zone || !input || typeof DataTransfer === 'undefined') {
        return;
    }

    // The hint is shown only where dropping works.
    var label = zone.querySelector('[data-drop-label]');
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
})();
