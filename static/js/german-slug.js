// Admin addresses read as German readers expect: "Lebensräume" → "lebensraeume", not
// "lebensraume". Django's prepopulated fields call the global URLify (admin/js/urlify.js) each
// time the title changes; this wraps it to transliterate umlauts and ß first.
"use strict";
{
    const german = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS"};
    const urlify = window.URLify;
    window.URLify = (text, numChars, allowUnicode) =>
        urlify(text.replace(/[äöüÄÖÜßẞ]/g, (letter) => german[letter]), numChars, allowUnicode);
}
