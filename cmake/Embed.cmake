# l2w_embed(OUT_C SYMBOL FILES...) writes a C file defining
#   const struct l2w_embedded_file SYMBOL[]; const size_t SYMBOL_count;
# holding each file's base name and bytes (NUL-terminated for convenience).
function(l2w_embed out_c symbol)
  set(files ${ARGN})
  add_custom_command(
    OUTPUT ${out_c}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out_c} -DSYMBOL=${symbol} "-DFILES=${files}"
            -P ${CMAKE_SOURCE_DIR}/cmake/EmbedRun.cmake
    DEPENDS ${files} ${CMAKE_SOURCE_DIR}/cmake/EmbedRun.cmake
    COMMENT "Embedding ${symbol}"
    VERBATIM)
endfunction()
