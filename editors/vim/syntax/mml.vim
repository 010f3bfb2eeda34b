" Vim syntax file for the .mml design-flow language of mmlc (see docs/language.md).
" Language:    MML (mmlc design flows)
" Filenames:   *.mml

if exists("b:current_syntax")
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match

" Keywords. Type names and max/log/command/using/select/where/main are soft keywords: they are
" highlighted where they act as keywords and may still be used as names.
syn keyword mmlInclude      import
syn keyword mmlStorage      task flow search cfg param
syn keyword mmlModifier     extern
syn keyword mmlConditional  if else
syn keyword mmlRepeat       while for
syn keyword mmlStatement    return yield parallel
syn keyword mmlKeyword      in select where using minimize maximize require
syn keyword mmlOperatorWord and or not
syn keyword mmlBoolean      true false
syn match   mmlKeyword      "\<max\>\ze\s\+\d"
syn match   mmlKeyword      "\<log\>\ze\s*;"
syn match   mmlKeyword      "\<command\>\ze\s*\""
syn match   mmlStorage      "\<main\>\ze\s*{"

" Types: after ':' or '->', and at the start of a global declaration (`device u250 = ...`).
syn match   mmlType         "\%(\%(:\|->\)\s*\)\@<=\<\%(dnn\|hls\|rtl\|data\|device\|metrics\|int\|float\|bool\|string\|fixed\)\>\%(\s*<\)\@!\%(\[\]\)\="
syn match   mmlType         "^\s*\zs\<\%(dnn\|hls\|rtl\|data\|device\|metrics\|int\|float\|bool\|string\|fixed\)\>\%(\[\]\)\=\ze\s\+\h\w*\s*="


" Calls, named arguments, metric access.
syn match   mmlCall         "\<\h\w*\ze\s*("
syn match   mmlNamedArg     "\<\h\w*\ze\s*:[^:]"
syn match   mmlMetric       "\.\s*\zs\<\%(accuracy\|balanced_accuracy\|csim_accuracy\|loss\|sparsity\|params\|nonzero\|macs\|dsp\|lut\|ff\|bram\|latency\|latency_ns\|ii\|estimated\|samples\|features\|classes\|clock_ns\)\>"

" Declarations (after calls, so that they win): task, flow and search names, the search strategy
" after `using`, search parameters.
syn match   mmlDeclName     "\%(\<\%(task\|flow\|search\)\s\+\)\@<=\h\w*"
syn match   mmlStrategy     "\%(\<using\s\+\)\@<=\h\w*"
syn match   mmlSearchParam  "\%(\<param\s\+\)\@<=\h\w*"

" Literals: fixed-point formats, numbers with units, plain numbers, strings with placeholders.
syn region  mmlFixed        matchgroup=mmlFixedType start="\<u\=fixed\s*<" end=">" contains=mmlNumber,mmlFixedMode,mmlParen oneline
syn region  mmlParen        start="(" end=")" contained transparent contains=mmlNumber,mmlOperator
syn keyword mmlFixedMode    contained TRN TRN_ZERO RND RND_ZERO RND_INF RND_MIN_INF RND_CONV WRAP SAT SAT_ZERO SAT_SYM
" Plain numbers come before quantities, so that a later, longer `2%` match wins.
syn match   mmlNumber       "\<\d\+\%(\.\d\+\)\=\%([eE][+-]\=\d\+\)\=\>"
syn match   mmlQuantity     "\<\d\+\%(\.\d\+\)\=\%([eE][+-]\=\d\+\)\=\%(ns\|us\|ms\|s\|kHz\|MHz\|GHz\)\>"
syn match   mmlQuantity     "\<\d\+\%(\.\d\+\)\=\%([eE][+-]\=\d\+\)\=%"
syn region  mmlString       start=+"+ skip=+\\.+ end=+"+ contains=mmlEscape,mmlPlaceholder oneline
syn match   mmlEscape       contained "\\."
syn match   mmlPlaceholder  contained "{\h\w*}"

syn match   mmlOperator     "->\|\.\.\|==\|!=\|<=\|>=\|[-+*/<>=]"

" Comments.
syn keyword mmlTodo         contained TODO FIXME XXX NOTE
syn match   mmlComment      "//.*$" contains=mmlTodo,@Spell
syn region  mmlComment      start="/\*" end="\*/" contains=mmlTodo,@Spell

hi def link mmlInclude      Include
hi def link mmlStorage      StorageClass
hi def link mmlModifier     StorageClass
hi def link mmlConditional  Conditional
hi def link mmlRepeat       Repeat
hi def link mmlStatement    Statement
hi def link mmlKeyword      Keyword
hi def link mmlOperatorWord Operator
hi def link mmlOperator     Operator
hi def link mmlBoolean      Boolean
hi def link mmlType         Type
hi def link mmlDeclName     Function
hi def link mmlStrategy     Function
hi def link mmlSearchParam  Identifier
hi def link mmlCall         Function
hi def link mmlNamedArg     Identifier
hi def link mmlMetric       Special
hi def link mmlFixedType    Type
hi def link mmlFixedMode    Constant
hi def link mmlQuantity     Number
hi def link mmlNumber       Number
hi def link mmlString       String
hi def link mmlEscape       SpecialChar
hi def link mmlPlaceholder  Special
hi def link mmlTodo         Todo
hi def link mmlComment      Comment

let b:current_syntax = "mml"

let &cpo = s:cpo_save
unlet s:cpo_save
