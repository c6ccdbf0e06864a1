# src/platforms: the voice-platform adapters (Vapi, Retell, ElevenLabs, Famulor, Twilio):
# payload -> CallEvent / IncomingCall / ToolCall, answer shaping, signature checks.
file(GLOB famulor_platforms_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cpp)
target_sources(famulor PRIVATE ${famulor_platforms_sources})
