# Seeded faults: card-sim built again on a card model with one deliberate mistake each
# (firmware-model/seeded_fault.hpp), card-sim-fault-NAME, so that a system test shows the
# conformance program naming the case each mistake breaks. The targets copy the sources, links
# and definitions of quorum_firmware, quorum_cardsim and card-sim as those folders declare them.
set(QUORUM_SEEDED_FAULT_NAMES
    pin-compared-first no-response-mac replay-accepted pending-response-kept usage-counter-not-stored
    reshare-out-uncounted reshare-in-replaces-used)

function(quorum_absolute_sources target out)
  get_target_property(sources ${target} SOURCES)
  get_target_property(dir ${target} SOURCE_DIR)
  set(result "")
  foreach(source IN LISTS sources)
    if(IS_ABSOLUTE "${source}")
      list(APPEND result "${source}")
    else()
      list(APPEND result "${dir}/${source}")
    endif()
  endforeach()
  set(${out} ${result} PARENT_SCOPE)
endfunction()

# The link libraries of `target`, with the card model and card-sim's library swapped for their
# seeded-fault builds.
function(quorum_fault_links target out)
  get_target_property(links ${target} LINK_LIBRARIES)
  if(NOT links)
    set(links "")
  endif()
  list(TRANSFORM links REPLACE "^quorum_firmware$" "quorum_firmware_seeded_faults")
  list(TRANSFORM links REPLACE "^quorum_cardsim$" "quorum_cardsim_seeded_faults")
  set(${out} ${links} PARENT_SCOPE)
endfunction()

function(quorum_copy_definitions from to)
  get_target_property(definitions ${from} COMPILE_DEFINITIONS)
  if(definitions)
    target_compile_definitions(${to} PRIVATE ${definitions})
  endif()
endfunction()

quorum_absolute_sources(quorum_firmware firmware_sources)
quorum_fault_links(quorum_firmware firmware_links)
add_library(quorum_firmware_seeded_faults STATIC ${firmware_sources})
target_link_libraries(quorum_firmware_seeded_faults PUBLIC ${firmware_links})
target_compile_definitions(quorum_firmware_seeded_faults PUBLIC QUORUM_SEEDED_FAULTS)

quorum_absolute_sources(quorum_cardsim cardsim_sources)
quorum_fault_links(quorum_cardsim cardsim_links)
add_library(quorum_cardsim_seeded_faults STATIC ${cardsim_sources})
target_link_libraries(quorum_cardsim_seeded_faults PUBLIC ${cardsim_links})

quorum_absolute_sources(card-sim cardsim_main_sources)
quorum_fault_links(card-sim cardsim_main_links)
add_library(quorum_cardsim_main_seeded_faults OBJECT ${cardsim_main_sources})
target_link_libraries(quorum_cardsim_main_seeded_faults PUBLIC ${cardsim_main_links})
quorum_copy_definitions(card-sim quorum_cardsim_main_seeded_faults)

set(QUORUM_SEEDED_FAULT_PROGRAMS "")
foreach(fault IN LISTS QUORUM_SEEDED_FAULT_NAMES)
  add_executable(card-sim-fault-${fault} seeded_fault_choice.cpp $<TARGET_OBJECTS:quorum_cardsim_main_seeded_faults>)
  target_link_libraries(card-sim-fault-${fault} PRIVATE ${cardsim_main_links})
  target_compile_definitions(card-sim-fault-${fault} PRIVATE QUORUM_SEEDED_FAULT="${fault}")
  list(APPEND QUORUM_SEEDED_FAULT_PROGRAMS card-sim-fault-${fault})
endforeach()
set(QUORUM_SEEDED_FAULT_PROGRAMS ${QUORUM_SEEDED_FAULT_PROGRAMS} PARENT_SCOPE)
