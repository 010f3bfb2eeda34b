-- Headless Neovim (Debian's neovim, built-in LSP client) opens an .mml file, starts mmlc-lsp,
-- waits for its diagnostics, asks for a hover and writes what it received as JSON.
-- Environment: MMLC_LSP (server), E2E_FILE (file to open), E2E_OUT (result), E2E_LINE/E2E_COL
-- (0-based hover position).
local server, file, out = os.getenv('MMLC_LSP'), os.getenv('E2E_FILE'), os.getenv('E2E_OUT')
local result = { diagnostics = {}, hover = nil, errors = {} }

local function finish()
  local f = assert(io.open(out, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qa!')
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'mmlc-lsp',
    cmd = { server },
    root_dir = vim.fn.fnamemodify(file, ':p:h'),
    on_error = function(code, e) table.insert(result.errors, tostring(code) .. ': ' .. tostring(e)) end,
  })
  assert(client_id, 'mmlc-lsp did not start')
  vim.lsp.buf_attach_client(buf, client_id)
  -- Diagnostics arrive through textDocument/publishDiagnostics after didOpen.
  vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, end_col = d.end_col,
                                       severity = d.severity, message = d.message })
  end
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = tonumber(os.getenv('E2E_LINE')), character = tonumber(os.getenv('E2E_COL')) },
  }
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 30000) or {}
  for _, response in pairs(responses) do
    if response.result and response.result.contents then
      result.hover = response.result.contents.value
    end
    if response.err then table.insert(result.errors, vim.inspect(response.err)) end
  end
  vim.lsp.stop_client(client_id)
end)
if not ok then table.insert(result.errors, tostring(err)) end
finish()
