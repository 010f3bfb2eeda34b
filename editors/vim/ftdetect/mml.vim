" Vim filetype detection for mmlc design-flow files (*.mml).
autocmd BufRead,BufNewFile *.mml setfiletype mml
