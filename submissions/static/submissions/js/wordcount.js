/*
 * wordcount.js: count words exactly as LibreOffice Writer (7.4, default
 * settings) does, in the browser. Exposes window.countWords(text).
 *
 * This is the browser twin of submissions/wordcount.py. The two implement
 * ONE rule, with the same tables and the same steps in the same order:
 * ANY CHANGE HERE MUST BE MADE IN wordcount.py TOO (and the other way round).
 * tests/submissions/test_wordcount.py checks that the tables are equal, and
 * tests/data/wordcount_vectors.json holds the numbers LibreOffice reported;
 * the rule itself is explained in wordcount.py's module docstring.
 *
 * Plain ES2018 script: no modules, no dependencies, no regular expressions
 * (JS and Python disagree on \s and \w), only the explicit tables below.
 */
(function (global) {
  "use strict";

  // Character classes: same names and numbers as in wordcount.py.
  var LETTER = 0; // default: ICU's $ALetter = Alphabetic + punctuation + symbols + digits
  var PARAGRAPH = 1; // paragraph end (LF, FF)
  var SPACE = 2; // u_isspace() and Writer's additional separators: skipped
  var ZWSP = 3; // zero-width space: see step 5 of the rule in wordcount.py
  var DASH = 4; // U+002D only: joins letters, but "--" ends a word
  var FORMAT = 5; // Cf: joins letters on both sides, otherwise a word by itself
  var CONTROL = 6; // C1 controls: always a word by itself
  var EXTEND = 7; // combining marks that are not letters: stick to what precedes
  var KANA = 8; // Asian but not an ICU letter: a word, and a token by itself
  var ASIAN = 9; // LibreOffice's "Asian" script type: each code point is a word
  var SINGLE = 10; // not an ICU letter: a word by itself (plus following marks)

  // BEGIN SHARED TABLES (identical in wordcount.py; test_wordcount.py checks it)
  // LibreOffice's text import starts a new paragraph at LF (and FF); the
  // ZWSP quirk (step 5 of the rule) stops at the paragraph's end.
  var PARAGRAPH_TABLE = [
    [0x000A, 0x000A], [0x000C, 0x000C]
  ];

  // SwScanner skips u_isspace() characters (Zs, Zl, Zp, TAB, CR, NEL), and
  // Writer first turns its "additional separators" into spaces: by default en
  // dash U+2013 and em dash U+2014 (Tools > Options > Writer > General), so
  // "2024–2028" and "word—word" are 2 words, "a – b" is 2, but "a - b" is 3.
  var SPACE_TABLE = [
    [0x0009, 0x0009], [0x000D, 0x000D], [0x0020, 0x0020], [0x0085, 0x0085],
    [0x00A0, 0x00A0], [0x1680, 0x1680], [0x2000, 0x200A], [0x2013, 0x2014],
    [0x2028, 0x2029], [0x202F, 0x202F], [0x205F, 0x205F], [0x3000, 0x3000]
  ];

  // Zero-width space: white space for LibreOffice's word lookup, but not
  // skipped by SwScanner, which gives the quirk of step 5 of the rule.
  var ZWSP_TABLE = [
    [0x200B, 0x200B]
  ];

  // Hyphen-minus only: the count_word rules ($dash) let it join letters
  // ("well-known", "8-10th"), but a lone "-" is a word and "a--b" is 2.
  var DASH_TABLE = [
    [0x002D, 0x002D]
  ];

  // Cf characters other than ZWSP (soft hyphen, ZWJ, LRM/RLM, BOM, ...):
  // ICU's $Format. Between letters they are invisible ("soft\u00adware" is 1
  // word); elsewhere no rule matches them and each becomes a word of its own.
  var FORMAT_TABLE = [
    [0x00AD, 0x00AD], [0x0600, 0x0605], [0x061C, 0x061C], [0x06DD, 0x06DD],
    [0x070F, 0x070F], [0x0890, 0x0891], [0x08E2, 0x08E2], [0x180E, 0x180E],
    [0x200D, 0x200F], [0x202A, 0x202E], [0x2060, 0x2064], [0x2066, 0x206F],
    [0xFEFF, 0xFEFF], [0xFFF9, 0xFFFB], [0x110BD, 0x110BD], [0x110CD, 0x110CD],
    [0x13430, 0x1343F], [0x1BCA0, 0x1BCA3], [0x1D173, 0x1D17A], [0xE0001, 0xE0001]
  ];

  // C1 controls: they survive the text import and match no rule, so each is
  // a word. C0 controls other than TAB/LF/FF/CR become "#" in the import (a
  // letter), so they stay in the LETTER default.
  var CONTROL_TABLE = [
    [0x007F, 0x0084], [0x0086, 0x009F]
  ];

  // Non-letter Grapheme_Extend marks ($Extend): they stick to whatever comes
  // before them (combining accents, Thai/Lao vowel and tone marks, variation
  // selectors and keycaps of emoji, emoji tag characters, ZWNJ).
  var EXTEND_TABLE = [
    [0x0300, 0x0344], [0x0346, 0x036F], [0x0E31, 0x0E31], [0x0E34, 0x0E3A],
    [0x0E47, 0x0E4E], [0x0EB1, 0x0EB1], [0x0EB4, 0x0EBC], [0x0EC8, 0x0ECE],
    [0x200C, 0x200C], [0x20D0, 0x20F0], [0xFE00, 0xFE0F], [0xFE20, 0xFE2F],
    [0xE0020, 0xE007F], [0xE0100, 0xE01EF]
  ];

  // Asian code points that are not ICU letters (hiragana, katakana, circled
  // and squared kana, full-width digits...): each is a word, like every Asian
  // code point, and it also starts a new token, so a mark or soft hyphen that
  // follows it is a word of its own.
  var KANA_TABLE = [
    [0x3041, 0x3096], [0x309D, 0x309F], [0x30A1, 0x30FA], [0x30FC, 0x30FF],
    [0x3192, 0x3195], [0x31F0, 0x31FF], [0x3220, 0x3229], [0x3248, 0x324F],
    [0x3251, 0x325F], [0x3280, 0x3289], [0x32B1, 0x32BF], [0x32D0, 0x32FE],
    [0x3300, 0x3357], [0xFF10, 0xFF19], [0xFF66, 0xFF9D], [0x1AFF0, 0x1AFF3],
    [0x1AFF5, 0x1AFFB], [0x1AFFD, 0x1AFFE], [0x1B000, 0x1B122], [0x1B150, 0x1B152],
    [0x1B164, 0x1B167], [0x1F200, 0x1F200]
  ];

  // Code points whose LibreOffice script type is ASIAN: each one is a word
  // (fdo#45271: Asian text has no spaces). LibreOffice decides by Unicode
  // block (Hangul Jamo, CJK radicals to Hangul syllables, CJK compatibility,
  // CJK compatibility forms, half/full-width forms, CJK extension B) and, for
  // blocks it does not list, by script (Han, kana, Hangul).
  var ASIAN_TABLE = [
    [0x1100, 0x11FF], [0x2E80, 0x2FDF], [0x2FF0, 0x4DBF], [0x4E00, 0xA4CF],
    [0xA960, 0xA97F], [0xAC00, 0xD7FF], [0xF900, 0xFAFF], [0xFE30, 0xFE4F],
    [0xFF00, 0xFFEF], [0x16FE2, 0x16FE3], [0x16FF0, 0x16FF1], [0x1AFF0, 0x1AFFF],
    [0x1B000, 0x1B16F], [0x1F200, 0x1F200], [0x20000, 0x2A6DF], [0x2A700, 0x2EBEF],
    [0x2F800, 0x2FA1F], [0x30000, 0x323AF]
  ];

  // Not letters for ICU ($ALetter is Alphabetic + punctuation + symbols +
  // numeric) and not controls: "No" numbers (superscripts, subscripts,
  // fractions, circled digits), spacing marks that are not letters, Thai and
  // Lao (the rules exclude them), surrogates and private use. Each starts a
  // word of its own, so "km²" and "CO₂" are 2 words.
  var SINGLE_TABLE = [
    [0x00B2, 0x00B3], [0x00B9, 0x00B9], [0x00BC, 0x00BE], [0x09F4, 0x09F9],
    [0x0B72, 0x0B77], [0x0BF0, 0x0BF2], [0x0C78, 0x0C7E], [0x0D58, 0x0D5E],
    [0x0D70, 0x0D78], [0x0E00, 0x0E3E], [0x0E40, 0x0EFF], [0x0F2A, 0x0F33],
    [0x0F3E, 0x0F3F], [0x1369, 0x137C], [0x1715, 0x1715], [0x1734, 0x1734],
    [0x17F0, 0x17F9], [0x19DA, 0x19DA], [0x1B44, 0x1B44], [0x1BAA, 0x1BAA],
    [0x1BF2, 0x1BF3], [0x1CE1, 0x1CE1], [0x1CF7, 0x1CF7], [0x2070, 0x2070],
    [0x2074, 0x2079], [0x2080, 0x2089], [0x2150, 0x215F], [0x2189, 0x2189],
    [0x2460, 0x249B], [0x24EA, 0x24FF], [0x2776, 0x2793], [0x2CFD, 0x2CFD],
    [0xA830, 0xA835], [0xA953, 0xA953], [0xA9C0, 0xA9C0], [0xABEC, 0xABEC],
    [0xD800, 0xDFFF], [0xE000, 0xF8FF], [0x10107, 0x10133], [0x10175, 0x10178],
    [0x1018A, 0x1018B], [0x102E1, 0x102FB], [0x10320, 0x10323], [0x10858, 0x1085F],
    [0x10879, 0x1087F], [0x108A7, 0x108AF], [0x108FB, 0x108FF], [0x10916, 0x1091B],
    [0x109BC, 0x109BD], [0x109C0, 0x109CF], [0x109D2, 0x109FF], [0x10A40, 0x10A48],
    [0x10A7D, 0x10A7E], [0x10A9D, 0x10A9F], [0x10AEB, 0x10AEF], [0x10B58, 0x10B5F],
    [0x10B78, 0x10B7F], [0x10BA9, 0x10BAF], [0x10CFA, 0x10CFF], [0x10E60, 0x10E7E],
    [0x10F1D, 0x10F26], [0x10F51, 0x10F54], [0x10FC5, 0x10FCB], [0x11052, 0x11065],
    [0x111C0, 0x111C0], [0x111E1, 0x111F4], [0x11235, 0x11235], [0x1134D, 0x1134D],
    [0x116B6, 0x116B6], [0x1173A, 0x1173B], [0x118EA, 0x118F2], [0x1193D, 0x1193D],
    [0x11C5A, 0x11C6C], [0x11FC0, 0x11FD4], [0x16B5B, 0x16B61], [0x16E80, 0x16E96],
    [0x1D166, 0x1D166], [0x1D16D, 0x1D16D], [0x1D2E0, 0x1D2F3], [0x1D360, 0x1D378],
    [0x1E8C7, 0x1E8CF], [0x1EC71, 0x1ECAB], [0x1ECAD, 0x1ECAF], [0x1ECB1, 0x1ECB4],
    [0x1ED01, 0x1ED2D], [0x1ED2F, 0x1ED3D], [0x1F100, 0x1F10C], [0xF0000, 0x10FFFF]
  ];
  // END SHARED TABLES

  // Order matters: the first table that holds a code point decides its class.
  var CLASS_TABLES = [
    [PARAGRAPH, PARAGRAPH_TABLE],
    [SPACE, SPACE_TABLE],
    [ZWSP, ZWSP_TABLE],
    [DASH, DASH_TABLE],
    [FORMAT, FORMAT_TABLE],
    [CONTROL, CONTROL_TABLE],
    [EXTEND, EXTEND_TABLE],
    [KANA, KANA_TABLE],
    [ASIAN, ASIAN_TABLE],
    [SINGLE, SINGLE_TABLE]
  ];

  var CACHE = new Map();

  // The class of one code point: the first table holding it, else LETTER.
  // A plain scan, as in wordcount.py, so the two cannot drift; cached.
  function charClass(cp) {
    var cls = CACHE.get(cp);
    if (cls === undefined) {
      cls = LETTER;
      search: for (var t = 0; t < CLASS_TABLES.length; t++) {
        var table = CLASS_TABLES[t][1];
        for (var r = 0; r < table.length; r++) {
          if (table[r][0] <= cp && cp <= table[r][1]) {
            cls = CLASS_TABLES[t][0];
            break search;
          }
        }
      }
      CACHE.set(cp, cls);
    }
    return cls;
  }

  // ICU's $ALetter: LETTER, and Asian letters (CJK ideographs are Alphabetic).
  function isLetter(cls) {
    return cls === LETTER || cls === ASIAN;
  }

  // LibreOffice's ASIAN script type: each such code point is a word.
  function isAsian(cls) {
    return cls === ASIAN || cls === KANA;
  }

  // Step over $Extend* marks: they belong to the character before them.
  function skipExtend(classes, j) {
    var n = classes.length;
    while (j < n && classes[j] === EXTEND) {
      j += 1;
    }
    return j;
  }

  // End of $ALetterEx ($FormatEx* $ALetterEx)* from the letter at i.
  // Why: format characters (soft hyphen, ZWJ in emoji) are invisible inside a
  // word and must not split it, but only when a letter follows them.
  function letterSequenceEnd(classes, i) {
    var n = classes.length;
    var j = skipExtend(classes, i + 1);
    for (;;) {
      var k = j;
      while (k < n && classes[k] === FORMAT) {
        k = skipExtend(classes, k + 1);
      }
      if (k < n && isLetter(classes[k])) {
        j = skipExtend(classes, k + 1);
      } else {
        return j;
      }
    }
  }

  // End of $ALetterEx* $dash+ or $ALetterEx* ($dash $LetterSequence)+ $dash*.
  // Why: hyphenated words ("well-known", "8-10th") and lone hyphens ("a - b"
  // is 3 words) hold together, but a double hyphen ends a word ("a--b" is 2).
  // Returns i when neither rule matches.
  function dashWordEnd(classes, i) {
    var n = classes.length;
    var j = i;
    while (j < n && isLetter(classes[j])) {
      j = skipExtend(classes, j + 1);
    }
    if (j >= n || classes[j] !== DASH) {
      return i;
    }
    var best = j;
    while (best < n && classes[best] === DASH) {
      best += 1;
    }
    var k = j;
    var matched = false;
    while (k + 1 < n && classes[k] === DASH && isLetter(classes[k + 1])) {
      k = letterSequenceEnd(classes, k + 1);
      matched = true;
    }
    if (matched) {
      while (k < n && classes[k] === DASH) {
        k += 1;
      }
      best = Math.max(best, k);
    }
    return best;
  }

  // End of the ICU count_word token that starts at i (the longest rule wins).
  function tokenEnd(classes, i) {
    var cls = classes[i];
    if (isLetter(cls)) {
      return Math.max(letterSequenceEnd(classes, i), dashWordEnd(classes, i));
    }
    if (cls === DASH) { // the dash rules, or "everything else": "-" and its marks
      return Math.max(dashWordEnd(classes, i), skipExtend(classes, i + 1));
    }
    if (cls === FORMAT || cls === CONTROL) {
      return i + 1; // $Control: no rule matches, ICU steps one code point
    }
    return skipExtend(classes, i + 1); // "everything else": one code point + $Extend*
  }

  // Words in one token: each Asian code point, and each stretch of the rest.
  // Why: SwScanner cuts a token at every Asian code point (fdo#45271: Asian
  // text has no spaces) and counts what lies between them as one word.
  function wordsInToken(classes, start, end) {
    var words = 0;
    var inStretch = false;
    for (var k = start; k < end; k++) {
      if (isAsian(classes[k])) {
        words += 1;
        inStretch = false;
      } else if (!inStretch) {
        words += 1;
        inStretch = true;
      }
    }
    return words;
  }

  // Count words as LibreOffice Writer does; null, undefined and "" count 0.
  // Mirrors SwScanner::NextWord: skip white space, take the ICU token found
  // there, count its words, go on after it (see wordcount.py's docstring).
  function countWords(text) {
    if (!text) {
      return 0;
    }
    var classes = [];
    for (var ch of String(text)) { // iterates code points, like Python's str
      classes.push(charClass(ch.codePointAt(0)));
    }
    var n = classes.length;
    var words = 0;
    var i = 0;
    while (i < n) {
      var cls = classes[i];
      if (cls === SPACE || cls === PARAGRAPH) {
        i += 1;
      } else if (cls === ZWSP) {
        // Why: LibreOffice looks up the word at a ZWSP. Right after a word
        // it gets that word back, finds nothing new and stops counting the
        // paragraph; after white space it simply moves on.
        var prev = i > 0 ? classes[i - 1] : PARAGRAPH;
        if (prev !== SPACE && prev !== ZWSP && prev !== PARAGRAPH) {
          while (i < n && classes[i] !== PARAGRAPH) {
            i += 1;
          }
        } else {
          i += 1;
        }
      } else {
        var end = tokenEnd(classes, i);
        words += wordsInToken(classes, i, end);
        i = end;
      }
    }
    return words;
  }

  global.countWords = countWords;
})(typeof window !== "undefined" ? window : this);
