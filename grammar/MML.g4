// ANTLR4 grammar of the .mml flow language (reference: docs/language.md); C++ is generated at build time.
grammar MML;

// ---------------------------------------------------------------- top level

module : topDecl* EOF ;

topDecl
  : importDecl
  | globalDecl
  | taskDecl
  | flowDecl
  | searchDecl
  | cfgBlock
  | mainDecl
  ;

importDecl : 'import' STRING ';' ;

// `device u250 = part("xcu250-figd2104-2L-e", clock: 5ns);`
globalDecl : typeRef name '=' expr ';' ;

// `task prune(m: dnn, tolerance: float = 2% in [0, 1] "doc") -> dnn "doc";`
// `extern task mysynth(h: hls) -> rtl command "scripts/synth.sh {h} {out}" "doc";`
taskDecl
  : ext='extern'? 'task' name '(' paramList? ')' '->' typeRef
    ('command' command=STRING)? doc=STRING? ';'
  ;

paramList : paramDecl (',' paramDecl)* ','? ;

// `weight: fixed?` is optional without a default: absent unless a call (or cfg) gives it.
paramDecl : name ':' typeRef optional='?'? ('=' defaultValue=expr)? ('in' domain)? doc=STRING? ;

flowDecl : 'flow' name '(' paramList? ')' ('->' typeRef)? doc=STRING? block ;

// `search dse(m: dnn, d: data) -> hls using bayes(budget: 30) { param ...; ...; minimize ...; return h; }`
searchDecl
  : 'search' name '(' paramList? ')' '->' typeRef
    'using' strategy=name ('(' argList? ')')? doc=STRING? '{' searchItem* '}'
  ;

searchItem
  : 'param' name ':' typeRef 'in' domain scale='log'? ';'   # searchParam
  | direction=('minimize' | 'maximize') expr (',' expr)* ';'  # searchObjective
  | 'require' expr ';'                                       # searchConstraint
  | stmt                                                     # searchStmt
  ;

// `[lo, hi]` closed range, `(lo, hi]` etc. half-open; `{a, b, c}` a set of values.
domain
  : lb=('[' | '(') lo=expr ',' hi=expr rb=(']' | ')')   # rangeDomain
  | '{' expr (',' expr)* ','? '}'                       # setDomain
  ;

cfgBlock : 'cfg' '{' cfgEntry* '}' ;

cfgEntry : key=dottedName '=' expr ';' ;

// `prune.tolerance`, `spq.prune.tolerance`, or `prune#2.tolerance` for the second prune call.
dottedName : keyPart ('.' keyPart)+ ;

keyPart : name ('#' INT)? ;

mainDecl : 'main' block ;

// ---------------------------------------------------------------- types

typeRef
  : base=('dnn' | 'hls' | 'rtl' | 'data' | 'device' | 'metrics'
         | 'int' | 'float' | 'bool' | 'string' | 'fixed') (listSuffix='[' ']')?
  ;

// ---------------------------------------------------------------- statements

block : '{' stmt* '}' ;

stmt
  : name '=' expr ';'                                          # assignStmt
  | 'if' '(' expr ')' thenBlock=block ('else' elseStmt)?       # ifStmt
  | 'while' '(' expr ')' ('max' bound=INT)? block              # whileStmt
  | 'for' name 'in' forRange ('max' bound=INT)? block          # forStmt
  | 'return' expr? ';'                                         # returnStmt
  | 'yield' expr ';'                                           # yieldStmt
  | expr ';'                                                   # exprStmt
  ;

elseStmt
  : block
  | 'if' '(' expr ')' thenBlock=block ('else' elseStmt)?
  ;

forRange
  : '[' expr (',' expr)* ','? ']'   # listRange
  | lo=expr '..' hi=expr            # intRange
  ;

// ---------------------------------------------------------------- expressions

expr
  : primary                                                # primaryExpr
  | expr '.' name                                          # metricExpr
  | '-' expr                                               # negExpr
  | expr op=('*' | '/') expr                               # mulExpr
  | expr op=('+' | '-') expr                               # addExpr
  | expr op=('<' | '<=' | '>' | '>=' | '==' | '!=') expr   # compareExpr
  | 'not' expr                                             # notExpr
  | expr 'and' expr                                        # andExpr
  | expr 'or' expr                                         # orExpr
  ;

primary
  : QUANTITY                                                   # quantityLit
  | INT                                                        # intLit
  | FLOAT                                                      # floatLit
  | STRING                                                     # stringLit
  | value=('true' | 'false')                                   # boolLit
  | kind=('fixed' | 'ufixed') '<' width=fixedArg ',' integer=fixedArg
      (',' modes+=name)* '>'                                   # fixedLit
  | name '(' argList? ')'                                      # callExpr
  | name                                                       # nameExpr
  | '(' expr ')'                                               # parenExpr
  | '[' (expr (',' expr)* ','?)? ']'                           # listLit
  | 'parallel' '{' branch+ '}'
      'select' direction=('minimize' | 'maximize') objective=expr
      ('where' constraint=expr)?                               # parallelExpr
  ;

fixedArg : INT | '-' INT | name | '(' expr ')' ;

argList : arg (',' arg)* ','? ;

arg : (name ':')? expr ;

branch : label=(STRING | ID) ':' block ;

// Soft keywords may also be used as names.
name
  : ID | 'max' | 'log' | 'command' | 'using' | 'select' | 'where' | 'main'
  | 'dnn' | 'hls' | 'rtl' | 'data' | 'device' | 'metrics' | 'int' | 'float' | 'bool' | 'string'
  ;

// ---------------------------------------------------------------- lexer

// A number with a unit: times (ns, us, ms, s), frequencies (kHz, MHz, GHz: their period) and
// percentages (2% == 0.02).
QUANTITY : NUMBER ('ns' | 'us' | 'ms' | 's' | 'kHz' | 'MHz' | 'GHz' | '%') ;
FLOAT    : DIGITS '.' DIGITS EXPONENT? | DIGITS EXPONENT ;
INT      : DIGITS ;
// A number glued to letters that are not a unit (`5sec`): one token, so the error names it.
BAD_QUANTITY : NUMBER [a-zA-Z_] [a-zA-Z_0-9]* ;
STRING   : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;
ID       : [a-zA-Z_] [a-zA-Z_0-9]* ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS            : [ \t\r\n]+ -> skip ;

// Anything else becomes a token the parser rejects with a located error.
UNKNOWN_CHAR : . ;

fragment NUMBER   : DIGITS ('.' DIGITS)? EXPONENT? ;
fragment DIGITS   : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;
